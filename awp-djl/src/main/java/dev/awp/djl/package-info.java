/**
 * The DJL binding of awp: attacks on {@code NDArray}s, the AWP optimizer wrapper, objectives,
 * training, evaluation, models, data and diagnostics. Its packages:
 *
 * <ul>
 *   <li>{@link dev.awp.djl.attack}: PGD, FGSM, APGD, FAB, the gradient-free Square and custom
 *       attacks, bound from {@code awp-api} specifications; gradient attacks compute input
 *       gradients only;
 *   <li>{@link dev.awp.djl.perturbation}: {@link dev.awp.djl.perturbation.AwpOptimizer}, which adds
 *       AWP to any DJL {@code Optimizer};
 *   <li>{@link dev.awp.djl.objective}: PGD-AT, TRADES, MART and custom objectives, and their losses
 *       on logits;
 *   <li>{@link dev.awp.djl.training}: {@link dev.awp.djl.training.AdversarialTrainer}, which runs a
 *       whole training specification with checkpoints and resume, and the training step {@link
 *       dev.awp.djl.training.AwpEasyTrain} in the style of DJL's {@code EasyTrain};
 *   <li>{@link dev.awp.djl.evaluation}: {@link dev.awp.djl.evaluation.RobustnessEvaluator}, clean
 *       accuracy and a resumable cascade of attacks (AutoAttack among them) in one report;
 *   <li>{@link dev.awp.djl.model}: the recipes' classifiers (PreActResNet-18, WideResNet, a small
 *       CNN) and input normalization, as DJL blocks;
 *   <li>{@link dev.awp.djl.data}: labelled image data of any C×H×W shape or any DJL dataset, seeded
 *       batching and the recipes' augmentations;
 *   <li>{@link dev.awp.djl.diagnostics}: the paper's weight loss landscape, random against
 *       adversarial weight perturbations, and plots (with the optional XChart dependency);
 *   <li>{@link dev.awp.djl.torchscript}: TorchScript classifiers from Python, attacked, evaluated
 *       and fine-tuned with AWP, then exported back (needs the PyTorch engine);
 *   <li>{@code dev.awp.djl} itself: {@link dev.awp.djl.NativeAllocator}, which keeps glibc from
 *       returning libtorch's buffers to the kernel after every operation;
 *   <li>{@code dev.awp.djl.internal}: implementation details shared by these packages; not exported
 *       from the module and not part of the API.
 * </ul>
 *
 * <p>Nothing here hard-codes a device: arrays are created on the device of the model's parameters
 * or of the inputs.
 */
package dev.awp.djl;
