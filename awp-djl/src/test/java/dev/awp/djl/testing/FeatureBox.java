package dev.awp.djl.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.InputDomain;
import java.util.Random;

/**
 * Tabular inputs for per-feature domains: three features on their own scales — an amount in [0,
 * 1000], a count in [0, 10], a signed ratio in [−1, 1] — for the 3-4-3 MLP of {@link
 * TestModels#mlp()}.
 */
public final class FeatureBox {
    private FeatureBox() {}

    /** The number of features. */
    public static final int FEATURES = 3;

    /** The per-feature bounds. */
    public static final InputDomain DOMAIN =
            InputDomain.perFeature(new double[] {0, 0, -1}, new double[] {1000, 10, 1});

    /**
     * A batch inside {@link #DOMAIN}, a quarter of its values on a bound (so clipping binds).
     *
     * @param manager where the batch lives
     * @param batch the number of examples
     * @param seed the seed of the values
     * @return inputs of shape {@code (batch, 3)}, float32
     */
    public static NDArray inputs(NDManager manager, int batch, long seed) {
        double[] lower = DOMAIN.lowerBounds();
        double[] upper = DOMAIN.upperBounds();
        Random random = new Random(seed);
        float[] values = new float[batch * FEATURES];
        for (int i = 0; i < values.length; i++) {
            int f = i % FEATURES;
            double u = random.nextDouble();
            double v = lower[f] + u * (upper[f] - lower[f]);
            if (u < 0.125) {
                v = lower[f];
            } else if (u > 0.875) {
                v = upper[f];
            }
            values[i] = (float) v;
        }
        return manager.create(values, new Shape(batch, FEATURES));
    }

    /**
     * Counts the values of {@code a} (shape {@code (B, 3)}) outside {@link #DOMAIN}, on the host.
     *
     * @param a the inputs
     * @return the number of values below their feature's lower or above its upper bound
     */
    public static int outside(NDArray a) {
        double[] lower = DOMAIN.lowerBounds();
        double[] upper = DOMAIN.upperBounds();
        float[] values = a.toFloatArray();
        int outside = 0;
        for (int i = 0; i < values.length; i++) {
            int f = i % FEATURES;
            outside += values[i] < (float) lower[f] || values[i] > (float) upper[f] ? 1 : 0;
        }
        return outside;
    }

    /**
     * Asserts that {@code a} lies inside {@link #DOMAIN} and that some values sit on a bound.
     *
     * @param a the inputs, shape {@code (B, 3)}
     */
    public static void assertInsideWithSomeOnABound(NDArray a) {
        assertThat(outside(a)).as("values outside the per-feature bounds").isZero();
        double[] lower = DOMAIN.lowerBounds();
        double[] upper = DOMAIN.upperBounds();
        float[] values = a.toFloatArray();
        int onBound = 0;
        for (int i = 0; i < values.length; i++) {
            int f = i % FEATURES;
            onBound += values[i] == (float) lower[f] || values[i] == (float) upper[f] ? 1 : 0;
        }
        assertThat(onBound).as("values on a bound").isPositive();
    }
}
