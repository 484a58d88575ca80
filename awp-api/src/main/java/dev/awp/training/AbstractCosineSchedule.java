package dev.awp.training;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * Cosine annealing over the whole run, evaluated at every iteration. With {@code N} iterations per
 * epoch, {@code E} epochs and iteration {@code i} of epoch {@code e} (both 0-based):
 *
 * <pre>
 * p     = (e·N + i) / (E·N)
 * lr(p) = η_min + (η − η_min) · (1 + cos(π·p)) / 2
 * </pre>
 *
 * The first iteration uses η; the last one is just above {@link #minLearningRate() η_min}, which
 * the schedule approaches but no step is wasted on.
 */
@Value.Immutable
abstract class AbstractCosineSchedule implements LearningRateSchedule {

    /**
     * The learning rate η_min the schedule decays to. It must not exceed the optimizer's base
     * learning rate ({@link AdversarialTraining} checks this).
     *
     * @return η_min, finite and non-negative; default 0
     */
    @Value.Default
    public double minLearningRate() {
        return 0.0;
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
        checkArgument(
                minLearningRate() <= baseLearningRate,
                "minLearningRate must be <= baseLearningRate (%s) but was %s",
                baseLearningRate,
                minLearningRate());
        double progress =
                ((double) epoch * iterationsPerEpoch + iteration)
                        / ((double) totalEpochs * iterationsPerEpoch);
        double min = minLearningRate();
        return min + (baseLearningRate - min) * (1 + Math.cos(Math.PI * progress)) / 2;
    }

    @Value.Check
    void check() {
        Checks.nonNegative("minLearningRate", minLearningRate());
    }
}
