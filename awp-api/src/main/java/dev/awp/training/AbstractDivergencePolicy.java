package dev.awp.training;

import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * What a training run checks after every batch and every evaluation, and what it does when a check
 * fails.
 *
 * <ul>
 *   <li><b>Divergence</b>: the training step found a non-finite value (loss, gradient, weight
 *       perturbation) and refused to step, or the weights are no longer finite at the end of an
 *       epoch.
 *   <li><b>Collapse</b> (if {@link #detectCollapse()}): the robust validation accuracy fell to at
 *       most {@code chance + collapseMargin} (chance = 1 / number of classes) after an earlier
 *       evaluation of the run reached at least {@code chance + 3 × collapseMargin}.
 * </ul>
 *
 * On either, the run restores the last good state (weights, BatchNorm statistics, optimizer state
 * and position at the end of the last epoch that passed the checks) and then takes the {@link
 * #action()}. A model is never returned with non-finite parameters.
 *
 * <p><b>Catastrophic overfitting</b> (Wong et al. 2020: single-step attacks stop working as
 * attacks) is reported, not acted on, when {@link #catastrophicOverfittingGap()} is set: when an
 * evaluation finds FGSM accuracy above PGD accuracy by more than the gap, the run emits a warning
 * event and logs it.
 *
 * <pre>{@code
 * DivergencePolicy retry = DivergencePolicy.builder()
 *         .action(DivergenceAction.RETRY_WITH_LOWER_LEARNING_RATE)
 *         .learningRateFactor(0.5)
 *         .maxRetries(2)
 *         .build();
 * AdversarialTraining spec = Recipes.atAwp().withDivergence(retry);
 * }</pre>
 */
@Value.Immutable
abstract class AbstractDivergencePolicy {

    /**
     * What to do after restoring the last good state.
     *
     * @return the action; default {@link DivergenceAction#STOP}
     */
    @Value.Default
    public DivergenceAction action() {
        return DivergenceAction.STOP;
    }

    /**
     * The factor applied to the learning rate (of the whole remaining schedule) at every retry.
     *
     * @return the factor, in (0, 1); default 0.5
     */
    @Value.Default
    public double learningRateFactor() {
        return 0.5;
    }

    /**
     * How many times a run retries with a lower learning rate before it stops.
     *
     * @return at least 1; default 2
     */
    @Value.Default
    public int maxRetries() {
        return 2;
    }

    /**
     * Whether a collapse of robust accuracy to chance counts as a failure.
     *
     * @return default true
     */
    @Value.Default
    public boolean detectCollapse() {
        return true;
    }

    /**
     * The margin above chance of the collapse rule (see the class documentation).
     *
     * @return the margin, in (0, 1); default 0.02
     */
    @Value.Default
    public double collapseMargin() {
        return 0.02;
    }

    /**
     * How far FGSM accuracy may exceed PGD accuracy on the validation subset before a
     * catastrophic-overfitting warning; 0 turns the check (and its FGSM evaluation) off. Off by
     * default: the extra FGSM pass made each evaluation of a small CNN about 50 % slower in our
     * measurement (QuickStart, 500 images, 2 epochs: 29 s → 43 s for PGD-AT), taken before the
     * evaluation attacked only the examples classified correctly (likely cheaper now; not
     * re-measured). Turn it on (0.2 is a sensible gap) when you train with a single-step attack.
     *
     * @return the gap, in [0, 1); default 0 (off)
     */
    @Value.Default
    public double catastrophicOverfittingGap() {
        return 0;
    }

    @Value.Check
    void check() {
        Checks.aboveZeroBelowOne("learningRateFactor", learningRateFactor());
        Checks.atLeast("maxRetries", maxRetries(), 1);
        Checks.aboveZeroBelowOne("collapseMargin", collapseMargin());
        Checks.atLeastZeroBelowOne("catastrophicOverfittingGap", catastrophicOverfittingGap());
    }

    /**
     * The default: stop on divergence or collapse, after restoring the last good state.
     *
     * @return the default policy
     */
    public static DivergencePolicy stop() {
        return DivergencePolicy.builder().build();
    }

    /**
     * Retry from the last good epoch with the learning rate halved, at most twice.
     *
     * @return a retrying policy
     */
    public static DivergencePolicy retryWithLowerLearningRate() {
        return DivergencePolicy.builder()
                .action(DivergenceAction.RETRY_WITH_LOWER_LEARNING_RATE)
                .build();
    }
}
