package dev.awp.training;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Factories for the built-in {@link LearningRateSchedule learning-rate schedules}, including the
 * reference schedules of AT-AWP, TRADES and MART.
 *
 * <p>Epochs are 0-based here. The reference code of TRADES and MART counts epochs from 1 and decays
 * "at epoch {@code k}" meaning from its {@code k}-th epoch on, which is the 0-based milestone
 * {@code k − 1}: TRADES's ×0.1 at 100 and ×0.01 at 150 are the milestones {@code {99, 149}}, MART's
 * ×0.1 at 75 and 90 are {@code {74, 89}}.
 */
public final class Schedules {
    private Schedules() {}

    /**
     * The AT-AWP reference schedule, evaluated per iteration at {@code t = epoch + (iteration +
     * 1)/N}: η while {@code t/E < 0.5}, η/10 while {@code t/E < 0.75}, η/100 after.
     *
     * @return the {@link PiecewiseSchedule} with its defaults
     */
    public static PiecewiseSchedule reference() {
        return PiecewiseSchedule.builder().build();
    }

    /**
     * A step schedule: the learning rate is multiplied by {@code factor} at each 0-based milestone
     * epoch, {@code lr(e) = η · factor^|{m ≤ e}|}.
     *
     * @param factor the factor, in (0, 1]
     * @param milestones the 0-based epochs, at least one, strictly increasing, each at least 1
     * @return the schedule
     * @throws IllegalArgumentException if the factor or the milestones are invalid
     */
    public static MultiStepSchedule multiStep(double factor, int... milestones) {
        return MultiStepSchedule.builder()
                .factor(factor)
                .milestones(Arrays.stream(milestones).boxed().collect(Collectors.toList()))
                .build();
    }

    /**
     * TRADES's reference schedule (used by TRADES-AWP): ×0.1 from 1-based epoch 100, ×0.01 from
     * 1-based epoch 150, i.e. the 0-based milestones {@code {99, 149}} with factor 0.1.
     *
     * @return the schedule
     */
    public static MultiStepSchedule tradesReference() {
        return multiStep(0.1, 99, 149);
    }

    /**
     * MART's reference schedule (used by MART-AWP): ×0.1 from 1-based epoch 75, ×0.01 from 1-based
     * epoch 90, i.e. the 0-based milestones {@code {74, 89}} with factor 0.1.
     *
     * @return the schedule
     */
    public static MultiStepSchedule martReference() {
        return multiStep(0.1, 74, 89);
    }

    /**
     * Cosine annealing from η down to 0 over the whole run, per iteration.
     *
     * @return the {@link CosineSchedule} with {@code minLearningRate = 0}
     */
    public static CosineSchedule cosine() {
        return CosineSchedule.builder().build();
    }

    /**
     * The base learning rate throughout.
     *
     * @return the schedule
     */
    public static ConstantSchedule constant() {
        return ConstantSchedule.of();
    }
}
