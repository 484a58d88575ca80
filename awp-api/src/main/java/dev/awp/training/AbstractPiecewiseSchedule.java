package dev.awp.training;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import java.util.List;
import org.immutables.value.Value;

/**
 * A piecewise-constant schedule over the fraction of the run, evaluated at every iteration: the
 * AT-AWP reference schedule. With {@code N} iterations per epoch and {@code E} epochs, iteration
 * {@code i} of epoch {@code e} (both 0-based) sits at
 *
 * <pre>
 * t = e + (i + 1) / N
 * </pre>
 *
 * and uses {@code η · factors[k]}, where {@code k} is the number of {@link #boundaries()} {@code b}
 * with {@code t / E ≥ b}. With the defaults (boundaries {@code [0.5, 0.75]}, factors {@code [1,
 * 0.1, 0.01]}) this is the reference's
 *
 * <pre>
 * η       if t/E &lt; 0.5
 * η/10    if t/E &lt; 0.75
 * η/100   otherwise
 * </pre>
 *
 * Because {@code t} counts the current iteration as done, the last iteration of epoch {@code E/2 −
 * 1} already uses η/10.
 */
@Value.Immutable
abstract class AbstractPiecewiseSchedule implements LearningRateSchedule {

    /**
     * Where the learning rate changes, as fractions of the whole run.
     *
     * @return the boundaries, strictly increasing, each in (0, 1); default {@code [0.5, 0.75]}
     */
    @Value.Default
    public List<Double> boundaries() {
        return List.of(0.5, 0.75);
    }

    /**
     * The multipliers of the base learning rate: {@code factors[0]} before the first boundary,
     * {@code factors[k]} from boundary {@code k − 1} on.
     *
     * @return one more factor than boundaries, each finite and positive; default {@code [1, 0.1,
     *     0.01]}
     */
    @Value.Default
    public List<Double> factors() {
        return List.of(1.0, 0.1, 0.01);
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
        double t = epoch + (iteration + 1) / (double) iterationsPerEpoch;
        double fraction = t / totalEpochs;
        int k = 0;
        for (double boundary : boundaries()) {
            if (fraction >= boundary) {
                k++;
            }
        }
        return baseLearningRate * factors().get(k);
    }

    @Value.Check
    void check() {
        List<Double> boundaries = boundaries();
        for (int i = 0; i < boundaries.size(); i++) {
            Checks.aboveZeroBelowOne("boundaries[" + i + "]", boundaries.get(i));
            if (i > 0) {
                checkArgument(
                        boundaries.get(i) > boundaries.get(i - 1),
                        "boundaries must be strictly increasing but was %s",
                        boundaries);
            }
        }
        checkArgument(
                factors().size() == boundaries.size() + 1,
                "factors must have one more element than boundaries (%s) but was %s",
                boundaries.size() + 1,
                factors());
        for (int i = 0; i < factors().size(); i++) {
            Checks.positive("factors[" + i + "]", factors().get(i));
        }
    }
}
