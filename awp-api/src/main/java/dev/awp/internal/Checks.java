package dev.awp.internal;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Validation helpers producing the project's message format: {@code "<attribute> must be <rule> but
 * was <value>"}. Internal to awp; not part of the API.
 */
public final class Checks {
    private Checks() {}

    /**
     * Requires a finite value strictly greater than zero.
     *
     * @param attribute the attribute name used in the message
     * @param value the value to check
     * @return the value
     * @throws IllegalArgumentException if the value is not finite or not positive
     */
    public static double positive(String attribute, double value) {
        checkArgument(
                Double.isFinite(value) && value > 0, "%s must be > 0 but was %s", attribute, value);
        return value;
    }

    /**
     * Requires a finite value greater than or equal to zero.
     *
     * @param attribute the attribute name used in the message
     * @param value the value to check
     * @return the value
     * @throws IllegalArgumentException if the value is not finite or negative
     */
    public static double nonNegative(String attribute, double value) {
        checkArgument(
                Double.isFinite(value) && value >= 0,
                "%s must be >= 0 but was %s",
                attribute,
                value);
        return value;
    }

    /**
     * Requires an integer at least {@code min}.
     *
     * @param attribute the attribute name used in the message
     * @param value the value to check
     * @param min the smallest allowed value
     * @return the value
     * @throws IllegalArgumentException if the value is smaller than {@code min}
     */
    public static int atLeast(String attribute, int value, int min) {
        checkArgument(value >= min, "%s must be >= %s but was %s", attribute, min, value);
        return value;
    }

    /**
     * Requires a finite value.
     *
     * @param attribute the attribute name used in the message
     * @param value the value to check
     * @return the value
     * @throws IllegalArgumentException if the value is NaN or infinite
     */
    public static double finite(String attribute, double value) {
        checkArgument(Double.isFinite(value), "%s must be finite but was %s", attribute, value);
        return value;
    }

    /**
     * Requires a value in {@code [0, 1)}.
     *
     * @param attribute the attribute name used in the message
     * @param value the value to check
     * @return the value
     * @throws IllegalArgumentException if the value is NaN, negative or at least 1
     */
    public static double atLeastZeroBelowOne(String attribute, double value) {
        checkArgument(value >= 0 && value < 1, "%s must be in [0, 1) but was %s", attribute, value);
        return value;
    }

    /**
     * Requires a value in {@code (0, 1)}.
     *
     * @param attribute the attribute name used in the message
     * @param value the value to check
     * @return the value
     * @throws IllegalArgumentException if the value is NaN, at most 0 or at least 1
     */
    public static double aboveZeroBelowOne(String attribute, double value) {
        checkArgument(value > 0 && value < 1, "%s must be in (0, 1) but was %s", attribute, value);
        return value;
    }

    /**
     * Requires a value in {@code (0, 1]}.
     *
     * @param attribute the attribute name used in the message
     * @param value the value to check
     * @return the value
     * @throws IllegalArgumentException if the value is NaN, at most 0 or greater than 1
     */
    public static double aboveZeroAtMostOne(String attribute, double value) {
        checkArgument(value > 0 && value <= 1, "%s must be in (0, 1] but was %s", attribute, value);
        return value;
    }
}
