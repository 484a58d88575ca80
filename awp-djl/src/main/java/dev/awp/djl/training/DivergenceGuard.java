package dev.awp.djl.training;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.optimizer.Optimizer;
import dev.awp.event.WarningKind;
import dev.awp.report.Accuracy;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.DivergenceAction;
import dev.awp.training.DivergencePolicy;
import java.util.Locale;
import java.util.function.Function;

/**
 * The {@link DivergencePolicy} at work. It decides and restores, and never writes files:
 *
 * <ul>
 *   <li>the parameters must be finite at the start ({@link IllegalStateException}) and after every
 *       epoch ({@link EpochFailure});
 *   <li>robust accuracy must not fall to chance after having been above it ({@link #collapsed}; an
 *       {@link EpochFailure} when the policy detects collapses);
 *   <li>FGSM accuracy far above the evaluation attack's is catastrophic overfitting ({@link
 *       #catastrophicOverfitting}; a warning only);
 *   <li>after a failure, {@link #recover} puts back the {@link LastGoodState} — parameters,
 *       optimizer state, and the run state's position, history and best (its learning-rate factor
 *       and retries survive) — then retries with a lower learning rate or stops with a {@link
 *       TrainingDivergedException}, as the policy says.
 * </ul>
 */
final class DivergenceGuard implements AutoCloseable {

    private final AdversarialTraining spec;
    private final DivergencePolicy policy;
    private final int numClasses;
    private final Block block;
    private final RunEvents events;
    private final Function<RunState, TrainingReport> report;
    private final LastGoodState good;

    /**
     * A guard for one run.
     *
     * @param spec the run's specification, with its divergence policy
     * @param numClasses the number of classes, whose inverse is chance accuracy
     * @param block the model's block
     * @param manager the parent of the good state's copies (the trainer's manager)
     * @param optimizer the base optimizer, whose state is saved and restored if it is resumable
     * @param events where warnings go
     * @param report the report of a run that stops in a state
     */
    DivergenceGuard(
            AdversarialTraining spec,
            int numClasses,
            Block block,
            NDManager manager,
            Optimizer optimizer,
            RunEvents events,
            Function<RunState, TrainingReport> report) {
        this.spec = spec;
        this.policy = spec.divergence();
        this.numClasses = numClasses;
        this.block = block;
        this.events = events;
        this.report = report;
        this.good =
                new LastGoodState(
                        block,
                        manager,
                        scope -> Optimizers.saveState(optimizer, block, scope),
                        state -> Optimizers.loadState(optimizer, block, state));
    }

    /**
     * Checks that the parameters are finite and keeps the start as the first good state.
     *
     * @throws IllegalStateException if a parameter is NaN or infinite
     */
    void start(RunState state) {
        if (!LastGoodState.allFinite(block)) {
            throw new IllegalStateException(
                    "the model's parameters must be finite at the start but some were NaN"
                            + " or infinite; initialize the model again or load a good"
                            + " checkpoint");
        }
        good.take(state);
    }

    /** Fails {@code epoch} if a parameter became NaN or infinite. */
    void checkWeights(int epoch) {
        if (!LastGoodState.allFinite(block)) {
            throw new EpochFailure(
                    WarningKind.DIVERGENCE,
                    epoch,
                    "training diverged: some parameters were NaN or infinite after epoch "
                            + (epoch + 1),
                    null);
        }
    }

    /**
     * Fails {@code epoch} if its robust accuracy collapsed against the best of {@code state} (the
     * state before the epoch); warns of catastrophic overfitting.
     */
    void checkEvaluation(int epoch, RobustnessProbe.Result result, RunState state) {
        checkCollapse(epoch, result.robust(), state);
        result.fgsm().ifPresent(fgsm -> checkCatastrophicOverfitting(epoch, fgsm, result.robust()));
    }

    /** Keeps {@code state} and the current parameters as the good state. */
    void accept(RunState state) {
        good.take(state);
    }

    /**
     * Restores the last good state after a failure and returns the state to continue from, or
     * throws when the policy says stop.
     *
     * @param failure what failed
     * @param state the run's state when it failed, with the time measured now
     * @return the good state, with one more retry and the lower learning-rate factor
     * @throws TrainingDivergedException if the policy stops (no retry, or retries used up), with
     *     the report of the good epochs
     */
    RunState recover(EpochFailure failure, RunState state) {
        events.warning(failure.epoch(), failure.kind(), failure.getMessage());
        good.restore();
        RunState rolled = state.rolledBackTo(good.state());
        int next = rolled.nextEpoch();
        String restored =
                next == 0
                        ? "restored the initial weights"
                        : "restored the weights after epoch " + next;
        int retries = rolled.retries();
        if (policy.action() != DivergenceAction.RETRY_WITH_LOWER_LEARNING_RATE
                || retries >= policy.maxRetries()) {
            String message =
                    failure.getMessage()
                            + "; "
                            + restored
                            + " and stopped"
                            + (retries > 0 ? " after " + retries + " retries" : "")
                            + "; lower the learning rate, check the data and the model, or use"
                            + " DivergencePolicy.retryWithLowerLearningRate()";
            events.warning(failure.epoch(), WarningKind.ROLLBACK, message);
            throw new TrainingDivergedException(
                    message, failure.kind(), report.apply(rolled), failure.getCause());
        }
        RunState retried = rolled.retried(policy.learningRateFactor());
        events.warning(
                failure.epoch(),
                WarningKind.ROLLBACK,
                String.format(
                        Locale.ROOT,
                        "%s; retry %d of %d from epoch %d with the learning rate × %s",
                        restored,
                        retried.retries(),
                        policy.maxRetries(),
                        next + 1,
                        retried.learningRateFactor()));
        return retried;
    }

    /**
     * The collapse rule of {@link DivergencePolicy}: robust accuracy at most {@code chance +
     * margin} after the best so far reached {@code chance + 3 × margin}.
     */
    static boolean collapsed(Accuracy best, Accuracy current, int numClasses, double margin) {
        double chance = 1.0 / numClasses;
        return best.value() >= chance + 3 * margin && current.value() <= chance + margin;
    }

    /** The catastrophic-overfitting rule: FGSM accuracy above PGD accuracy by more than the gap. */
    static boolean catastrophicOverfitting(Accuracy fgsm, Accuracy pgd, double gap) {
        return gap > 0 && fgsm.value() - pgd.value() > gap;
    }

    private void checkCollapse(int epoch, Accuracy robust, RunState state) {
        if (!policy.detectCollapse() || state.best().isEmpty()) {
            return;
        }
        RunState.Best best = state.best().get();
        if (collapsed(best.robustAccuracy(), robust, numClasses, policy.collapseMargin())) {
            throw new EpochFailure(
                    WarningKind.ROBUST_ACCURACY_COLLAPSE,
                    epoch,
                    String.format(
                            Locale.ROOT,
                            "robust accuracy collapsed to %.3f at epoch %d (chance %.3f; best"
                                    + " %.3f at epoch %d)",
                            robust.value(),
                            epoch + 1,
                            1.0 / numClasses,
                            best.robustAccuracy().value(),
                            best.epoch() + 1),
                    null);
        }
    }

    private void checkCatastrophicOverfitting(int epoch, Accuracy fgsm, Accuracy robust) {
        if (catastrophicOverfitting(fgsm, robust, policy.catastrophicOverfittingGap())) {
            events.warning(
                    epoch,
                    WarningKind.CATASTROPHIC_OVERFITTING,
                    String.format(
                            Locale.ROOT,
                            "catastrophic overfitting at epoch %d: FGSM accuracy %.3f is %.3f"
                                    + " above %s accuracy %.3f on the validation subset;"
                                    + " single-step attacks no longer find adversarial"
                                    + " examples (use a multi-step training attack, a random"
                                    + " start, or a smaller step)",
                            epoch + 1,
                            fgsm.value(),
                            fgsm.value() - robust.value(),
                            spec.evaluation().attack().name(),
                            robust.value()));
        }
    }

    @Override
    public void close() {
        good.close();
    }
}
