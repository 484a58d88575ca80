package dev.awp.report;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * An accuracy measured on a finite sample: {@link #correct()} of {@link #total()} examples, with
 * its 95% Wilson score interval. With {@code n} = total, {@code p̂} = correct / n and {@code z} =
 * {@value #Z_95}:
 *
 * <pre>
 * center = (p̂ + z²/(2n)) / (1 + z²/n)
 * half   = z / (1 + z²/n) · √( p̂(1 − p̂)/n + z²/(4n²) )
 * [lower, upper] = [center − half, center + half]
 * </pre>
 *
 * Unlike the normal approximation, the interval stays within [0, 1] and is not empty at 0% or 100%;
 * use it to judge whether two epochs or two runs differ by more than sampling noise (1000 examples
 * give about ±3 points).
 *
 * <pre>{@code
 * Accuracy robust = Accuracy.of(537, 1000);   // 0.537, 95% CI ≈ [0.506, 0.568]
 * }</pre>
 */
@Value.Immutable
abstract class AbstractAccuracy {

    /** The 0.975 quantile of the standard normal distribution, for 95% intervals. */
    public static final double Z_95 = 1.959963984540054;

    /**
     * The number of correctly classified examples.
     *
     * @return the count, in {@code [0, total]}
     */
    @Value.Parameter
    public abstract int correct();

    /**
     * The number of examples.
     *
     * @return the count, at least 1
     */
    @Value.Parameter
    public abstract int total();

    /**
     * The accuracy {@code correct / total}.
     *
     * @return the accuracy, in [0, 1]
     */
    public final double value() {
        return (double) correct() / total();
    }

    /**
     * The lower end of the 95% Wilson score interval; 0 when nothing is correct.
     *
     * @return the lower bound, in [0, {@link #value()}]
     */
    public final double lower() {
        return correct() == 0 ? 0.0 : Math.max(0.0, center() - halfWidth());
    }

    /**
     * The upper end of the 95% Wilson score interval; 1 when everything is correct.
     *
     * @return the upper bound, in [{@link #value()}, 1]
     */
    public final double upper() {
        return correct() == total() ? 1.0 : Math.min(1.0, center() + halfWidth());
    }

    private double center() {
        double n = total();
        double z2 = Z_95 * Z_95;
        return (value() + z2 / (2 * n)) / (1 + z2 / n);
    }

    private double halfWidth() {
        double n = total();
        double p = value();
        double z2 = Z_95 * Z_95;
        return Z_95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    }

    @Value.Check
    void check() {
        Checks.atLeast("total", total(), 1);
        checkArgument(
                correct() >= 0 && correct() <= total(),
                "correct must be in [0, total] = [0, %s] but was %s",
                total(),
                correct());
    }
}
