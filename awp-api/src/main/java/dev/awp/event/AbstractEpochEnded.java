package dev.awp.event;

import dev.awp.report.EpochMetrics;
import dev.awp.training.AdversarialTraining;
import org.immutables.value.Value;

/** An epoch is over: training, evaluation (if any) and checkpoints (if any) are done. */
@Value.Immutable
abstract class AbstractEpochEnded {

    /**
     * The specification the run executes.
     *
     * @return the specification
     */
    public abstract AdversarialTraining training();

    /**
     * The epoch's complete metrics, evaluation results included when the epoch was evaluated.
     *
     * @return the metrics
     */
    public abstract EpochMetrics metrics();

    /**
     * The 0-based epoch that ended.
     *
     * @return {@code metrics().epoch()}
     */
    public final int epoch() {
        return metrics().epoch();
    }

    /**
     * Whether this was the run's last epoch.
     *
     * @return true if {@code epoch() == training().epochs() − 1}
     */
    public final boolean isLastEpoch() {
        return epoch() == training().epochs() - 1;
    }

    @Value.Check
    void check() {
        EventChecks.epochOf("metrics.epoch", metrics().epoch(), training());
    }
}
