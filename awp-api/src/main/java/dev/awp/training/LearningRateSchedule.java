package dev.awp.training;

/**
 * How the learning rate changes during training: a function of the base learning rate ({@link
 * OptimizerSpec#learningRate()}) and the position in the run, called before every optimizer step.
 *
 * <p>This type is open: implement it for a custom schedule. The built-in ones are {@link
 * PiecewiseSchedule} (the AT-AWP reference), {@link MultiStepSchedule} (TRADES, MART), {@link
 * CosineSchedule} and {@link ConstantSchedule}; {@link Schedules} creates them. The built-in
 * schedules check their arguments and throw {@link IllegalArgumentException} outside the ranges
 * documented on {@link #learningRate(double, int, int, int, int)}.
 */
public interface LearningRateSchedule {

    /**
     * The learning rate of one iteration.
     *
     * @param baseLearningRate the optimizer's base learning rate η, finite and positive
     * @param epoch the 0-based epoch, in {@code [0, totalEpochs)}
     * @param iteration the 0-based iteration (batch) within the epoch, in {@code [0,
     *     iterationsPerEpoch)}
     * @param iterationsPerEpoch the number of iterations of an epoch, at least 1
     * @param totalEpochs the number of epochs of the run, at least 1
     * @return the learning rate of this iteration, finite and non-negative
     */
    double learningRate(
            double baseLearningRate,
            int epoch,
            int iteration,
            int iterationsPerEpoch,
            int totalEpochs);
}
