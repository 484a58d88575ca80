package dev.awp.djl.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * Per-channel input standardization, \( y_c = (x_c - \mu_c) / \sigma_c \), as a layer.
 *
 * <p>Put it first in a model so that the model takes inputs in [0, 1]: attacks then perturb and
 * clamp inputs in their natural range, and ε keeps its usual meaning (8/255 of a pixel), as in the
 * AT-AWP reference, which normalizes inside its training loop.
 *
 * <p>The mean and standard deviation are constants, not {@link ai.djl.nn.Parameter}s: they are
 * never trained, never perturbed, and not saved with the model's parameters (they are part of the
 * architecture, given again when the block is built). At every forward they are created on the
 * input's device, in the input's data type, inside a temporary sub-manager of the input's manager,
 * and closed before the forward returns, so nothing is left behind but the output. The channel axis
 * is the third from last: inputs are {@code (C, H, W)} or {@code (B, C, H, W)}.
 */
public final class Normalization extends AbstractBlock {

    private static final double[] CIFAR10_MEAN = {0.4914, 0.4822, 0.4465};
    private static final double[] CIFAR10_STD = {0.2471, 0.2435, 0.2616};

    private final double[] mean;
    private final double[] std;

    private Normalization(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * Creates a normalization with one mean and one standard deviation per channel.
     *
     * @param mean the per-channel means, finite, at least one
     * @param std the per-channel standard deviations, finite and positive, as many as means
     * @return the block
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the arrays are empty, differ in length, or hold a value
     *     that is not finite, or a standard deviation that is not positive
     */
    public static Normalization of(double[] mean, double[] std) {
        requireNonNull(mean, "mean");
        requireNonNull(std, "std");
        checkArgument(mean.length > 0, "mean must not be empty but was %s", Arrays.toString(mean));
        checkArgument(
                std.length == mean.length,
                "std must have as many channels as mean (%s) but was %s",
                mean.length,
                Arrays.toString(std));
        for (int c = 0; c < mean.length; c++) {
            checkArgument(
                    Double.isFinite(mean[c]),
                    "mean must be finite but was %s",
                    Arrays.toString(mean));
            checkArgument(
                    Double.isFinite(std[c]) && std[c] > 0,
                    "std must be finite and > 0 but was %s",
                    Arrays.toString(std));
        }
        return new Normalization(mean.clone(), std.clone());
    }

    /**
     * The CIFAR-10 training-set statistics used by the AT-AWP reference: mean (0.4914, 0.4822,
     * 0.4465), standard deviation (0.2471, 0.2435, 0.2616).
     *
     * @return the block
     */
    public static Normalization cifar10() {
        return new Normalization(CIFAR10_MEAN.clone(), CIFAR10_STD.clone());
    }

    /**
     * The per-channel means.
     *
     * @return a copy of the means
     */
    public double[] mean() {
        return mean.clone();
    }

    /**
     * The per-channel standard deviations.
     *
     * @return a copy of the standard deviations
     */
    public double[] std() {
        return std.clone();
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        checkInput(x);
        Shape constantShape = new Shape(mean.length, 1, 1);
        try (NDManager scope = x.getManager().newSubManager(x.getDevice())) {
            NDArray m = scope.create(mean, constantShape).toType(x.getDataType(), false);
            NDArray s = scope.create(std, constantShape).toType(x.getDataType(), false);
            NDArray centered = x.sub(m);
            try {
                return new NDList(centered.div(s));
            } finally {
                centered.close();
            }
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        checkShape(inputShapes[0]);
        return new Shape[] {inputShapes[0]};
    }

    /** {@inheritDoc} */
    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        super.beforeInitialize(inputShapes);
        checkShape(inputShapes[0]);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "Normalization(mean="
                + Arrays.toString(mean)
                + ", std="
                + Arrays.toString(std)
                + ")";
    }

    private void checkInput(NDArray x) {
        checkArgument(
                x.getDataType().isFloating(),
                "input data type must be floating point but was %s",
                x.getDataType());
        checkShape(x.getShape());
    }

    private void checkShape(Shape shape) {
        int rank = shape.dimension();
        checkArgument(
                rank >= 3 && shape.get(rank - 3) == mean.length,
                "input shape must be (..., %s, H, W) but was %s",
                mean.length,
                shape);
    }
}
