package dev.awp.djl.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Arrays;

/**
 * A cheap summary of every initialized parameter of a block (BatchNorm running statistics
 * included): the sum and the sum of squares of each array in float64, to detect a model changed by
 * an evaluation.
 */
final class Fingerprint {

    private final double[] values;

    private Fingerprint(double[] values) {
        this.values = values;
    }

    static Fingerprint of(Block block) {
        double[] values = new double[2 * block.getParameters().size()];
        int i = 0;
        for (Parameter parameter : block.getParameters().values()) {
            if (parameter.isInitialized()) {
                NDArray array = parameter.getArray();
                try (NDArray wide = array.toType(DataType.FLOAT64, true);
                        NDArray sum = wide.sum();
                        NDArray squares = wide.square();
                        NDArray sumOfSquares = squares.sum()) {
                    values[i] = sum.getDouble();
                    values[i + 1] = sumOfSquares.getDouble();
                }
            }
            i += 2;
        }
        return new Fingerprint(values);
    }

    /** The sums, two per parameter, for the evaluation state. */
    double[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Fingerprint && Arrays.equals(values, ((Fingerprint) other).values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }
}
