package dev.awp.report;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import dev.awp.training.AdversarialTraining;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * The outcome of a training run: the {@link #training() specification} it ran, the {@link #epochs()
 * metrics of every epoch}, the best epoch by robust validation accuracy (the AWP paper's model
 * selection), the total time, and the {@link #environment() environment} (library and engine
 * versions) needed to reproduce it.
 */
@Value.Immutable
abstract class AbstractTrainingReport {

    /**
     * The specification the run executed.
     *
     * @return the specification
     */
    public abstract AdversarialTraining training();

    /**
     * The metrics of the epochs run, in order, with consecutive epoch numbers (a resumed run may
     * start after 0).
     *
     * @return the metrics, each epoch below {@code training().epochs()}
     */
    public abstract List<EpochMetrics> epochs();

    /**
     * The 0-based epoch with the highest robust validation accuracy, if any epoch was evaluated.
     *
     * @return the epoch, present exactly when {@link #bestRobustAccuracy()} is
     */
    public abstract Optional<Integer> bestEpoch();

    /**
     * The robust validation accuracy of {@link #bestEpoch()}.
     *
     * @return the accuracy, present exactly when {@link #bestEpoch()} is
     */
    public abstract Optional<Accuracy> bestRobustAccuracy();

    /**
     * The wall-clock time of the whole run.
     *
     * @return the seconds, finite and non-negative
     */
    public abstract double totalSeconds();

    /**
     * Facts about where the run executed, such as {@code "awp.version"}, {@code "djl.version"},
     * {@code "engine"}, {@code "engine.version"}, {@code "device"} or {@code "java.version"}.
     *
     * @return the entries, possibly empty
     */
    public abstract Map<String, String> environment();

    /**
     * The training augmentation the run applies to its batches, as a short description: {@code
     * "none"} (the default of the trainer, for every dataset) or e.g. {@code "reflect-pad 4, random
     * crop, horizontal flip"}.
     *
     * @return the description; default {@code "none"}
     */
    @Value.Default
    public String augmentation() {
        return "none";
    }

    /**
     * The extra data mixed into every training batch, as a short description: {@code "none"} or its
     * name and {@link dev.awp.training.AdversarialTraining#extraDataFraction() fraction}.
     *
     * @return the description; default {@code "none"}
     */
    @Value.Default
    public String extraData() {
        return "none";
    }

    @Value.Check
    void check() {
        Checks.nonNegative("totalSeconds", totalSeconds());
        List<EpochMetrics> epochs = epochs();
        for (int i = 1; i < epochs.size(); i++) {
            int previous = epochs.get(i - 1).epoch();
            checkArgument(
                    epochs.get(i).epoch() == previous + 1,
                    "epochs[%s].epoch must be %s (consecutive) but was %s",
                    i,
                    previous + 1,
                    epochs.get(i).epoch());
        }
        if (!epochs.isEmpty()) {
            int last = epochs.get(epochs.size() - 1).epoch();
            checkArgument(
                    last < training().epochs(),
                    "epochs[%s].epoch must be < training.epochs (%s) but was %s",
                    epochs.size() - 1,
                    training().epochs(),
                    last);
        }
        checkArgument(
                bestEpoch().isPresent() == bestRobustAccuracy().isPresent(),
                "bestRobustAccuracy must be present exactly when bestEpoch is (%s) but was %s",
                bestEpoch(),
                bestRobustAccuracy());
        if (bestEpoch().isPresent()) {
            int best = bestEpoch().get();
            checkArgument(
                    best >= 0 && best < training().epochs(),
                    "bestEpoch must be in [0, training.epochs) = [0, %s) but was %s",
                    training().epochs(),
                    best);
            for (EpochMetrics metrics : epochs) {
                if (metrics.epoch() == best) {
                    checkArgument(
                            metrics.robustAccuracy().equals(bestRobustAccuracy()),
                            "bestRobustAccuracy must equal the robustAccuracy of epoch %s (%s) but"
                                    + " was %s",
                            best,
                            metrics.robustAccuracy(),
                            bestRobustAccuracy());
                }
            }
        }
    }
}
