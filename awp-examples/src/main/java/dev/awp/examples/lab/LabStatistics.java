package dev.awp.examples.lab;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Locale;

/**
 * Means and 95 % intervals over seeds for the lab: Student's t interval of a mean (or of a mean
 * paired difference) from {@code n} runs, {@code mean ± t(0.975, n − 1) · sd / √n}.
 *
 * <p>The t quantiles are tabulated for 1 to 30 degrees of freedom (more runs than that use the
 * normal quantile, which is within 2 % of t from 30 on). With one run there is no interval: the
 * half-width is NaN and is printed as "n/a".
 */
final class LabStatistics {

    /** t(0.975, df) for df = 1..30, from the standard tables (four decimals). */
    private static final double[] T_975 = {
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
        2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739,
        2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423
    };

    private static final double Z_975 = 1.959963984540054;

    private LabStatistics() {}

    /** A mean and the half-width of its 95 % interval (NaN with fewer than two values). */
    record Interval(double mean, double halfWidth, int n) {

        double lower() {
            return mean - halfWidth;
        }

        double upper() {
            return mean + halfWidth;
        }

        /** Whether the interval lies entirely above zero. */
        boolean above(double value) {
            return !Double.isNaN(halfWidth) && lower() > value;
        }

        /** Whether the interval lies entirely below zero. */
        boolean below(double value) {
            return !Double.isNaN(halfWidth) && upper() < value;
        }

        /** {@code "12.3 ± 1.2"} with {@code scale} applied (100 for percentages). */
        String format(double scale, int decimals) {
            String pattern = "%." + decimals + "f";
            String m = String.format(Locale.ROOT, pattern, scale * mean);
            if (Double.isNaN(halfWidth)) {
                return m + " (n/a)";
            }
            return m + " ± " + String.format(Locale.ROOT, pattern, scale * halfWidth);
        }
    }

    /** The t quantile t(0.975, df). */
    static double t975(int degreesOfFreedom) {
        checkArgument(
                degreesOfFreedom >= 1,
                "degrees of freedom must be >= 1 but was %s",
                degreesOfFreedom);
        return degreesOfFreedom <= T_975.length ? T_975[degreesOfFreedom - 1] : Z_975;
    }

    /** The mean of {@code values} with its 95 % t interval. */
    static Interval mean(double... values) {
        checkArgument(values.length > 0, "no values");
        double mean = Arrays.stream(values).average().orElseThrow();
        if (values.length < 2) {
            return new Interval(mean, Double.NaN, values.length);
        }
        double sumSquares = 0;
        for (double v : values) {
            sumSquares += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(sumSquares / (values.length - 1));
        return new Interval(
                mean, t975(values.length - 1) * sd / Math.sqrt(values.length), values.length);
    }

    /** The mean of {@code a[i] − b[i]} with its 95 % t interval: a paired comparison. */
    static Interval pairedDifference(double[] a, double[] b) {
        checkArgument(a.length == b.length, "unpaired: %s vs %s values", a.length, b.length);
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return mean(d);
    }
}
