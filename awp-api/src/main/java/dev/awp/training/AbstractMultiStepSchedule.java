package dev.awp.training;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import java.util.List;
import org.immutables.value.Value;

/**
 * A step schedule evaluated per epoch: the learning rate is multiplied by {@link #factor() γ} at
 * each milestone,
 *
 * <pre>
 * lr(e) = η · γ^k,   k = |{ m ∈ milestones : m ≤ e }|
 * </pre>
 *
 * for the 0-based epoch {@code e}; the iteration does not matter. Milestones are 0-based epochs:
 * the reference code of TRADES and MART counts epochs from 1, so its "×0.1 at epoch 100" is the
 * milestone 99 here (see {@link Schedules#tradesReference()}).
 */
@Value.Immutable
abstract class AbstractMultiStepSchedule implements LearningRateSchedule {

    /**
     * The 0-based epochs from which the learning rate is multiplied once more by {@link #factor()}.
     *
     * @return the milestones, not empty, strictly increasing, each at least 1
     */
    public abstract List<Integer> milestones();

    /**
     * The factor γ applied at each milestone.
     *
     * @return γ, in (0, 1]; default 0.1
     */
    @Value.Default
    public double factor() {
        return 0.1;
    }

    @Override
    public double learningRate(
            double baseLearningRate,
            int epoch,
            int iteration,
            int iterationsPerEpoch,
            int totalEpochs) {
        ScheduleArguments.check(
                baseLearningRate, epoch, iteration, iterationsPerEpoch, totalEpochs);
        int k = 0;
        for (int milestone : milestones()) {
            if (milestone <= epoch) {
                k++;
            }
        }
        return baseLearningRate * Math.pow(factor(), k);
    }

    @Value.Check
    void check() {
        List<Integer> milestones = milestones();
        checkArgument(
                !milestones.isEmpty(),
                "milestones must not be empty but was %s (use Schedules.constant() for a constant"
                        + " learning rate)",
                milestones);
        for (int i = 0; i < milestones.size(); i++) {
            Checks.atLeast("milestones[" + i + "]", milestones.get(i), 1);
            if (i > 0) {
                checkArgument(
                        milestones.get(i) > milestones.get(i - 1),
                        "milestones must be strictly increasing but was %s",
                        milestones);
            }
        }
        Checks.aboveZeroAtMostOne("factor", factor());
    }
}
