package dev.awp.report;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What one training epoch measured. The training figures ({@link #trainLoss()}, {@link
 * #trainAdversarialAccuracy()}) are running averages over the epoch's batches, as the weights
 * change; the evaluation figures are present only in epochs the {@link
 * dev.awp.training.EvaluationPlan} evaluates, and are measured after the epoch at the unperturbed
 * weights {@code w}:
 *
 * <ul>
 *   <li>{@link #cleanAccuracy()} and {@link #robustAccuracy()} on the validation subset;
 *   <li>{@link #trainRobustAccuracy()} on the fixed training subset, when the plan measures it.
 * </ul>
 *
 * {@link #robustGap()} is the robust generalization gap the AWP paper tracks: about 37 points at
 * the end of plain AT on CIFAR-10, about 0 with AWP.
 */
@Value.Immutable
abstract class AbstractEpochMetrics {

    /**
     * The 0-based epoch.
     *
     * @return the epoch, at least 0
     */
    public abstract int epoch();

    /**
     * The learning rate of the epoch's last iteration.
     *
     * @return the learning rate, finite and non-negative
     */
    public abstract double learningRate();

    /**
     * The mean training loss (the objective at the weights the update was computed at, {@code w +
     * v} when AWP is active).
     *
     * @return the loss, finite
     */
    public abstract double trainLoss();

    /**
     * The accuracy on the adversarial training inputs, accumulated over the epoch.
     *
     * @return the accuracy
     */
    public abstract Accuracy trainAdversarialAccuracy();

    /**
     * Whether AWP perturbed the weights in this epoch.
     *
     * @return true if γ &gt; 0 and the warm-up was over
     */
    public abstract boolean awpActive();

    /**
     * The wall-clock time of the epoch, training and evaluation included.
     *
     * @return the seconds, finite and non-negative
     */
    public abstract double elapsedSeconds();

    /**
     * The accuracy on the clean validation subset, if this epoch was evaluated.
     *
     * @return the accuracy, present exactly when {@link #robustAccuracy()} is
     */
    public abstract Optional<Accuracy> cleanAccuracy();

    /**
     * The accuracy on the validation subset under the evaluation attack, if this epoch was
     * evaluated: the share of examples classified correctly both at the clean input and under the
     * attack, as a robustness evaluation counts them (so never above {@link #cleanAccuracy()}).
     *
     * @return the accuracy, present exactly when {@link #cleanAccuracy()} is
     */
    public abstract Optional<Accuracy> robustAccuracy();

    /**
     * The accuracy on the fixed training subset under the evaluation attack, at the unperturbed
     * weights, if this epoch was evaluated and the plan measures it; counted as {@link
     * #robustAccuracy()} is.
     *
     * @return the accuracy; only present with {@link #robustAccuracy()}
     */
    public abstract Optional<Accuracy> trainRobustAccuracy();

    /**
     * The robust generalization gap: train robust accuracy minus validation robust accuracy.
     *
     * @return {@code trainRobustAccuracy.value − robustAccuracy.value}, if both are present
     */
    public final Optional<Double> robustGap() {
        return trainRobustAccuracy()
                .flatMap(train -> robustAccuracy().map(val -> train.value() - val.value()));
    }

    @Value.Check
    void check() {
        Checks.atLeast("epoch", epoch(), 0);
        Checks.nonNegative("learningRate", learningRate());
        Checks.finite("trainLoss", trainLoss());
        Checks.nonNegative("elapsedSeconds", elapsedSeconds());
        checkArgument(
                cleanAccuracy().isPresent() == robustAccuracy().isPresent(),
                "robustAccuracy must be present exactly when cleanAccuracy is (%s) but was %s:"
                        + " both are measured on the validation subset",
                cleanAccuracy(),
                robustAccuracy());
        checkArgument(
                trainRobustAccuracy().isEmpty() || robustAccuracy().isPresent(),
                "trainRobustAccuracy must be empty when the epoch was not evaluated but was %s",
                trainRobustAccuracy());
        cleanAccuracy()
                .ifPresent(
                        clean ->
                                checkArgument(
                                        robustAccuracy().get().total() == clean.total(),
                                        "robustAccuracy.total must equal cleanAccuracy.total (%s)"
                                                + " but was %s: both are measured on the same"
                                                + " validation subset",
                                        clean.total(),
                                        robustAccuracy().get().total()));
    }
}
