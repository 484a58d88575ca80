package dev.awp.djl.attack;

import dev.awp.attack.InputDomain;

/**
 * The input domain on the host, for the attacks whose iterates live in Java arrays (FAB, Square):
 * the bounds of feature {@code f} of an example in row-major order, one pair for every feature of a
 * scalar domain. The host counterpart of the device-side {@link Projection}.
 */
final class HostDomain {

    private final double[] lower;
    private final double[] upper;
    private final float[] lowerFloats;
    private final float[] upperFloats;

    HostDomain(InputDomain domain) {
        this.lower = domain.lowerBounds();
        this.upper = domain.upperBounds();
        this.lowerFloats = toFloats(lower);
        this.upperFloats = toFloats(upper);
    }

    /** The lower bound of a feature. */
    double lower(int feature) {
        return lower[index(feature)];
    }

    /** The upper bound of a feature. */
    double upper(int feature) {
        return upper[index(feature)];
    }

    /** {@code value} clipped into the bounds of a feature, in double precision, as a float. */
    float clip(double value, int feature) {
        return (float) Math.min(Math.max(value, lower(feature)), upper(feature));
    }

    /** {@code value} clipped into the float bounds of a feature. */
    float clip(float value, int feature) {
        int k = index(feature);
        return Math.min(Math.max(value, lowerFloats[k]), upperFloats[k]);
    }

    private int index(int feature) {
        return lower.length == 1 ? 0 : feature;
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
