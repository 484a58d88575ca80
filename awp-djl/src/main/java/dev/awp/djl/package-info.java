/**
 * The DJL binding of awp: attacks on {@code NDArray}s, the AWP optimizer wrapper, objectives, the
 * training step, models and datasets.
 *
 * <ul>
 *   <li>{@link dev.awp.djl.attack}: PGD, FGSM, APGD, FAB, the gradient-free Square and custom
 *       attacks; gradient attacks compute input gradients only;
 *   <li>{@link dev.awp.djl.perturbation}: {@link dev.awp.djl.perturbation.AwpOptimizer}, which adds
 *       AWP to any DJL {@code Optimizer};
 *   <li>{@link dev.awp.djl.objective}: PGD-AT, TRADES, MART and custom objectives;
 *   <li>{@link dev.awp.djl.training}: a ready adversarial training step in the style of DJL's
 *       {@code EasyTrain}.
 * </ul>
 *
 * <p>Nothing here hard-codes a device: arrays are created on the device of the model's parameters
 * or of the inputs.
 */
package dev.awp.djl;
