package dev.awp.djl.training;

import ai.djl.ndarray.NDArray;
import dev.awp.djl.objective.StepForwards;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.training.BatchNormForwards;

/**
 * The objective of one step on a batch with loss weights: {@link TrainingObjective#loss(NDArray,
 * NDArray, NDArray, NDArray)} of the bound objective with the batch's weights, in the update and in
 * the AWP pass alike (both see the same batch, so AWP ascends the same weighted objective the
 * update descends). Everything else is the bound objective's.
 */
final class WeightedStepObjective implements TrainingObjective {

    private final TrainingObjective objective;
    private final NDArray weights;

    private WeightedStepObjective(TrainingObjective objective, NDArray weights) {
        this.objective = objective;
        this.weights = weights;
    }

    /** {@code objective} itself when {@code weights} is null, otherwise the weighted step. */
    static TrainingObjective of(TrainingObjective objective, NDArray weights) {
        return weights == null ? objective : new WeightedStepObjective(objective, weights);
    }

    @Override
    public NDArray loss(NDArray cleanLogits, NDArray adversarialLogits, NDArray labels) {
        return objective.loss(cleanLogits, adversarialLogits, labels, weights);
    }

    @Override
    public StepForwards forwards(BatchNormForwards forwards) {
        return objective.forwards(forwards);
    }

    @Override
    public String name() {
        return objective.name();
    }

    @Override
    public boolean usesCleanInputs() {
        return objective.usesCleanInputs();
    }

    @Override
    public String toString() {
        return objective.toString();
    }
}
