package dev.awp.training;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;

/** Checks the arguments of {@link LearningRateSchedule#learningRate} for the built-in schedules. */
final class ScheduleArguments {
    private ScheduleArguments() {}

    static void check(
            double baseLearningRate,
            int epoch,
            int iteration,
            int iterationsPerEpoch,
            int totalEpochs) {
        Checks.positive("baseLearningRate", baseLearningRate);
        Checks.atLeast("totalEpochs", totalEpochs, 1);
        Checks.atLeast("iterationsPerEpoch", iterationsPerEpoch, 1);
        checkArgument(
                epoch >= 0 && epoch < totalEpochs,
                "epoch must be in [0, totalEpochs) = [0, %s) but was %s (epochs are 0-based)",
                totalEpochs,
                epoch);
        checkArgument(
                iteration >= 0 && iteration < iterationsPerEpoch,
                "iteration must be in [0, iterationsPerEpoch) = [0, %s) but was %s"
                        + " (iterations are 0-based)",
                iterationsPerEpoch,
                iteration);
    }
}
