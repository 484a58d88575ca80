package dev.awp.training;

import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * Which model checkpoints a training run writes: the best epoch by robust validation accuracy (the
 * AWP paper's model selection), the last epoch, and optionally every {@link #everyEpochs()}-th
 * epoch.
 *
 * <pre>{@code
 * CheckpointPolicy policy = CheckpointPolicy.builder().everyEpochs(10).build();
 * CheckpointPolicy off = CheckpointPolicy.none();
 * }</pre>
 */
@Value.Immutable
abstract class AbstractCheckpointPolicy {

    /**
     * Whether to keep the checkpoint of the epoch with the highest robust validation accuracy
     * (replaced when a later evaluation is strictly better).
     *
     * @return default true
     */
    @Value.Default
    public boolean keepBest() {
        return true;
    }

    /**
     * Whether to keep the checkpoint of the last epoch.
     *
     * @return default true
     */
    @Value.Default
    public boolean keepLast() {
        return true;
    }

    /**
     * The period, in epochs, of additional checkpoints kept for good; 0 writes none.
     *
     * @return the period, at least 0; default 0
     */
    @Value.Default
    public int everyEpochs() {
        return 0;
    }

    /**
     * Whether a periodic checkpoint is written after this epoch.
     *
     * @param epoch the 0-based epoch
     * @return true if {@code everyEpochs > 0} and {@code (epoch + 1) % everyEpochs == 0}
     */
    public final boolean writesPeriodicAt(int epoch) {
        return everyEpochs() > 0 && (epoch + 1) % everyEpochs() == 0;
    }

    @Value.Check
    void check() {
        Checks.atLeast("everyEpochs", everyEpochs(), 0);
    }

    /**
     * No checkpoints at all.
     *
     * @return a policy that keeps neither the best nor the last epoch, and no periodic ones
     */
    public static CheckpointPolicy none() {
        return CheckpointPolicy.builder().keepBest(false).keepLast(false).everyEpochs(0).build();
    }
}
