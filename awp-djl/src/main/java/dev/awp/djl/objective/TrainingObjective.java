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
