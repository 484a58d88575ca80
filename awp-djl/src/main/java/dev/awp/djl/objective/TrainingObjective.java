package dev.awp.djl.objective;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import dev.awp.objective.Objective;
import dev.awp.training.BatchNormForwards;

/**
 * An adversarial training objective on DJL: the scalar loss a training step minimizes. AWP
 * differentiates the same objective to build its weight perturbation.
 *
 * <p>Implement it for a custom objective; it is an {@link Objective}, so it is accepted wherever an
 * objective specification is. {@link TrainingObjectives#bind(Objective)} provides the built-ins.
 */
public interface TrainingObjective extends Objective {

    /**
     * The loss to minimize, a scalar with gradients flowing into the logits it reads.
     *
     * @param cleanLogits the logits on the clean inputs (training mode), or {@code null} when
     *     {@link #usesCleanInputs()} is false
     * @param adversarialLogits the logits on the adversarial inputs (training mode)
     * @param labels the class indices, shape {@code (B)}
     * @return the scalar loss, attached to the logits' manager
     */
    NDArray loss(NDArray cleanLogits, NDArray adversarialLogits, NDArray labels);

    /**
     * The loss with a weight per example: the weighted mean {@code Σ_i w_i·ℓ_i / Σ_i w_i} of the
     * per-example losses {@code ℓ_i} whose plain mean {@link #loss(NDArray, NDArray, NDArray)} is.
     * The trainer calls it, in the update and in the AWP pass, for batches of {@link
     * dev.awp.djl.data.ClassificationData#mixed(dev.awp.djl.data.ClassificationData, double,
     * java.util.List) mixed} data whose sources' loss weights are not all 1; batches without
     * weights get {@link #loss(NDArray, NDArray, NDArray)}, never this method with weights 1.
     *
     * <p>The built-in objectives implement it with {@link WeightedLosses}. The default returns
     * {@link #loss(NDArray, NDArray, NDArray)} when {@code weights} is null and throws otherwise:
     * override it to train a custom objective on weighted sources.
     *
     * @param cleanLogits the clean logits, or {@code null} when {@link #usesCleanInputs()} is false
     * @param adversarialLogits the adversarial logits
     * @param labels the class indices, shape {@code (B)}
     * @param weights the per-example weights, shape {@code (B)}, finite, non-negative and not all
     *     zero; or {@code null} for the plain mean
     * @return the scalar loss, attached to the logits' manager
     * @throws UnsupportedOperationException if {@code weights} is not null and the objective does
     *     not support weights
     */
    default NDArray loss(
            NDArray cleanLogits, NDArray adversarialLogits, NDArray labels, NDArray weights) {
        if (weights == null) {
            return loss(cleanLogits, adversarialLogits, labels);
        }
        throw new UnsupportedOperationException(
                "the objective "
                        + name()
                        + " has no per-example weights: override TrainingObjective.loss(clean,"
                        + " adversarial, labels, weights), or give every source loss weight 1");
    }

    /**
     * The training-mode forwards a step with this objective runs, in order, so that the BatchNorm
     * running statistics evolve as {@code forwards} asks. The built-in PGD-AT and TRADES return
     * their official scripts' orders ({@link StepForwards#pgdAt}, {@link StepForwards#trades});
     * MART's own code runs the minimal order, and so, by default, does a custom objective.
     *
     * @param forwards which forwards the step asks for
     * @return the forwards to run; {@link StepForwards#MINIMAL} by default
     */
    default StepForwards forwards(BatchNormForwards forwards) {
        requireNonNull(forwards, "forwards");
        return StepForwards.MINIMAL;
    }
}
