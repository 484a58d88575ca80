package dev.awp.event;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.report.Accuracy;
import dev.awp.training.AdversarialTraining;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * An evaluation is done, at the unperturbed weights, as the {@link dev.awp.training.EvaluationPlan}
 * of {@link #training()} describes.
 */
@Value.Immutable
abstract class AbstractEvaluationCompleted {

    /**
     * The specification the run executes.
     *
     * @return the specification
     */
    public abstract AdversarialTraining training();

    /**
     * The 0-based epoch after which the evaluation ran.
     *
     * @return the epoch, in {@code [0, training().epochs())}
     */
    public abstract int epoch();

    /**
     * The accuracy on the clean validation subset.
     *
     * @return the accuracy
     */
    public abstract Accuracy cleanAccuracy();

    /**
     * The accuracy on the validation subset under the evaluation attack.
     *
     * @return the accuracy, over as many examples as {@link #cleanAccuracy()}
     */
    public abstract Accuracy robustAccuracy();

    /**
     * The accuracy on the training subset under the evaluation attack, if the plan measures it.
     *
     * @return the accuracy
     */
    public abstract Optional<Accuracy> trainRobustAccuracy();

    @Value.Check
    void check() {
        EventChecks.epochOf("epoch", epoch(), training());
        checkArgument(
                robustAccuracy().total() == cleanAccuracy().total(),
                "robustAccuracy.total must equal cleanAccuracy.total (%s) but was %s: both are"
                        + " measured on the same validation subset",
                cleanAccuracy().total(),
                robustAccuracy().total());
    }
}
