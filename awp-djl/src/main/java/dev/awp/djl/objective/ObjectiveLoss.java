package dev.awp.djl.objective;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import dev.awp.objective.Objective;

/**
 * A training objective as a DJL {@link Loss}, so that DJL's loss evaluator, its listeners and
 * {@code trainer.getTrainingResult()} report the loss the step minimizes (TRADES or MART, not the
 * cross-entropy of the adversarial logits). Configure the trainer with it:
 *
 * <pre>{@code
 * Objective trades = Objectives.trades(6.0);
 * DefaultTrainingConfig config = new DefaultTrainingConfig(ObjectiveLoss.of(trades))
 *         .optOptimizer(awp)
 *         .addTrainingListeners(TrainingListener.Defaults.logging());
 * }</pre>
 *
 * <p>The predictions are the adversarial logits first and, for an objective that {@link
 * Objective#usesCleanInputs() uses clean inputs}, the clean logits second: that is what {@code
 * AwpEasyTrain} gives DJL's listeners when the trainer's loss is an {@code ObjectiveLoss}. The
 * labels are class indices of shape {@code (B)} or {@code (B, 1)}, of any numeric type.
 */
public final class ObjectiveLoss extends Loss {

    private final TrainingObjective objective;

    private ObjectiveLoss(String name, TrainingObjective objective) {
        super(name);
        this.objective = objective;
    }

    /**
     * The loss of an objective, named after it.
     *
     * @param objective a built-in specification or a {@link TrainingObjective}
     * @return the loss
     * @throws IllegalArgumentException if the objective is neither built in nor a {@link
     *     TrainingObjective}
     */
    public static ObjectiveLoss of(Objective objective) {
        requireNonNull(objective, "objective");
        TrainingObjective bound = TrainingObjectives.bind(objective);
        return new ObjectiveLoss(bound.name(), bound);
    }

    /**
     * The objective this loss evaluates.
     *
     * @return the executable objective
     */
    public TrainingObjective objective() {
        return objective;
    }

    /**
     * The objective's value.
     *
     * @param labels the class indices, shape {@code (B)} or {@code (B, 1)}
     * @param predictions the adversarial logits, then the clean logits if the objective uses them
     * @return the scalar loss
     * @throws IllegalArgumentException if the objective uses clean inputs and the predictions hold
     *     no clean logits
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray adversarial = predictions.get(0);
        NDArray clean = predictions.size() > 1 ? predictions.get(1) : null;
        if (objective.usesCleanInputs() && clean == null) {
            throw new IllegalArgumentException(
                    "the objective "
                            + objective.name()
                            + " needs the clean logits as the second prediction but the"
                            + " predictions hold "
                            + predictions.size()
                            + " array; AwpEasyTrain passes them when the trainer's loss is an"
                            + " ObjectiveLoss");
        }
        NDArray y = labels.head();
        NDArray classes = y.reshape(-1).toType(DataType.INT64, false);
        return objective.loss(clean, adversarial, classes);
    }
}
