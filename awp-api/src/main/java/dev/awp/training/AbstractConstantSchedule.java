package dev.awp.training;

import org.immutables.value.Value;

/** The base learning rate at every iteration: {@code lr = η}. */
@Value.Immutable(singleton = true, builder = false)
abstract class AbstractConstantSchedule implements LearningRateSchedule {

    @Override
    public double learningRate(
            double baseLearningRate,
            int epoch,
            int iteration,
            int iterationsPerEpoch,
            int totalEpochs) {
        ScheduleArguments.check(
                baseLearningRate, epoch, iteration, iterationsPerEpoch, totalEpochs);
        return baseLearningRate;
    }
}
