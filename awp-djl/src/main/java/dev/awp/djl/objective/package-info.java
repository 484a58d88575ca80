/**
 * Adversarial training objectives on DJL NDArrays.
 *
 * <p>{@link dev.awp.djl.objective.Losses} computes the losses of PGD-AT, TRADES and MART, and the
 * Carlini–Wagner margin an attack ascends, from logits and labels, in the logits' data type and
 * differentiably with respect to every logits argument. {@link
 * dev.awp.djl.objective.TrainingObjectives} binds the objective specifications to them (a custom
 * objective implements {@link dev.awp.djl.objective.TrainingObjective}), and {@link
 * dev.awp.djl.objective.ObjectiveLoss} presents an objective to DJL as a {@code Loss}, so that
 * DJL's evaluators and listeners report the loss training minimizes.
 */
package dev.awp.djl.objective;
