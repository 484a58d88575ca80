package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.immutables.value.Value;

/**
 * The values inputs may take: the box \( \prod_f [\ell_f, u_f] \) that attacks clip to, that batch
 * checks hold the data to, and that reports record. Scalar bounds (one pair, for every component of
 * every input: [0, 1] for images by default) or per-feature bounds (one pair per component of an
 * example, for tabular data whose features live on their own scales).
 *
 * <p>Per-feature bounds apply to the flattened elements of one example, in row-major order: bounds
 * of length F match inputs shaped {@code (B, F)}; inputs shaped {@code (B, C, H, W)} need C·H·W
 * bounds. A domain of one feature is scalar: its bounds apply to every component, whatever the
 * shape.
 *
 * <pre>{@code
 * InputDomain pixels = InputDomain.unit();                  // [0, 1]
 * InputDomain signed = InputDomain.of(-1, 1);
 * InputDomain transactions =                                // amount, hour, risk
 *         InputDomain.perFeature(new double[] {0, 0, 0}, new double[] {20_000, 23, 1});
 * }</pre>
 *
 * <p>Bounds are validated when built: non-empty, as many lower as upper bounds, finite, and {@code
 * lower < upper} for every feature; messages name the attribute, the feature index and the value.
 */
@Value.Immutable
abstract class AbstractInputDomain {

    /**
     * The lower bounds, one per feature (one for a scalar domain).
     *
     * @return a copy of the lower bounds
     */
    public abstract double[] lowerBounds();

    /**
     * The upper bounds, one per feature (one for a scalar domain).
     *
     * @return a copy of the upper bounds
     */
    public abstract double[] upperBounds();

    /**
     * The number of features the bounds describe.
     *
     * @return the number of bound pairs, 1 for a scalar domain
     */
    public int featureCount() {
        return lowerBounds().length;
    }

    /**
     * Whether one pair of bounds applies to every component of every input.
     *
     * @return {@code true} if the domain has a single pair of bounds
     */
    public boolean isScalar() {
        return featureCount() == 1;
    }

    /**
     * The smallest value any input component may take: the minimum of the lower bounds.
     *
     * @return the smallest lower bound
     */
    public double smallestLowerBound() {
        return Arrays.stream(lowerBounds()).min().orElseThrow();
    }

    /**
     * The largest value any input component may take: the maximum of the upper bounds.
     *
     * @return the largest upper bound
     */
    public double largestUpperBound() {
        return Arrays.stream(upperBounds()).max().orElseThrow();
    }

    @Value.Check
    void check() {
        double[] lower = lowerBounds();
        double[] upper = upperBounds();
        checkArgument(lower.length > 0, "lowerBounds must have at least one value but was empty");
        checkArgument(
                upper.length == lower.length,
                "upperBounds must have the length of lowerBounds (%s) but was of length %s",
                lower.length,
                upper.length);
        boolean scalar = lower.length == 1;
        for (int f = 0; f < lower.length; f++) {
            String lowerName = scalar ? "lowerBound" : "lowerBounds[" + f + "]";
            String upperName = scalar ? "upperBound" : "upperBounds[" + f + "]";
            checkArgument(
                    Double.isFinite(lower[f]), "%s must be finite but was %s", lowerName, lower[f]);
            checkArgument(
                    Double.isFinite(upper[f]), "%s must be finite but was %s", upperName, upper[f]);
            checkArgument(
                    lower[f] < upper[f],
                    "%s must be < %s but was %s >= %s",
                    lowerName,
                    upperName,
                    lower[f],
                    upper[f]);
        }
    }

    /**
     * The unit interval [0, 1] for every component: images scaled from [0, 255], the default of
     * {@link ThreatModel}.
     *
     * @return the scalar domain [0, 1]
     */
    public static InputDomain unit() {
        return of(0, 1);
    }

    /**
     * Scalar bounds: the same interval for every component.
     *
     * @param lower the smallest value a component may take
     * @param upper the largest value a component may take
     * @return the scalar domain {@code [lower, upper]}
     * @throws IllegalArgumentException if a bound is not finite or {@code lower >= upper}
     */
    public static InputDomain of(double lower, double upper) {
        return InputDomain.builder().lowerBounds(lower).upperBounds(upper).build();
    }

    /**
     * Per-feature bounds: feature {@code f} of every example lies in {@code [lower[f], upper[f]]}.
     * The arrays are copied.
     *
     * @param lower the lower bounds, one per feature
     * @param upper the upper bounds, one per feature
     * @return the per-feature domain (scalar if the arrays have length 1)
     * @throws NullPointerException if an array is null
     * @throws IllegalArgumentException if the arrays are empty or of different lengths, a bound is
     *     not finite, or {@code lower[f] >= upper[f]} for some feature {@code f}
     */
    public static InputDomain perFeature(double[] lower, double[] upper) {
        requireNonNull(lower, "lower");
        requireNonNull(upper, "upper");
        return InputDomain.builder().lowerBounds(lower).upperBounds(upper).build();
    }
}
