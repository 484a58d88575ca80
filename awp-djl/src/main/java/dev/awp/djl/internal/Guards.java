package dev.awp.djl.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.InputDomain;
import dev.awp.attack.ThreatModel;
import dev.awp.training.NonFiniteValueException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The checks that keep bad batches and non-finite values away from the weights, shared by the
 * attacks, {@code AwpOptimizer} and {@code AwpEasyTrain}. Every check reduces each tensor to a
 * scalar on its device (a min, max or sum), stacks the scalars and reads them with one transfer to
 * the host; no check loops over elements on the host. Internal to awp; not part of the API.
 */
public final class Guards {

    private Guards() {}

    /**
     * Checks a batch at the boundary of a training step or an attack: {@code x} finite and inside
     * the threat model's {@link ThreatModel#domain() input domain}; the labels shaped {@code (B)}
     * or {@code (B, 1)}, finite, integral-valued and non-negative. One host read.
     *
     * @param tm the threat model whose domain {@code x} must respect
     * @param x the clean inputs, shape {@code (B, ...)}
     * @param y the labels
     * @return the labels as a vector and their largest value, for {@link
     *     CheckedLabels#checkClasses}
     * @throws NonFiniteValueException if {@code x} ("x") or {@code y} ("y") is not finite
     * @throws IllegalArgumentException if per-feature bounds do not match the shape of an example,
     *     {@code x} leaves the domain, or the labels are not class indices
     */
    public static CheckedLabels checkBatch(ThreatModel tm, NDArray x, NDArray y) {
        try (NDManager local = x.getManager().newSubManager()) {
            return checkBatch(DomainBounds.of(tm.domain(), x, local), x, y);
        }
    }

    /**
     * Checks a batch as {@link #checkBatch(ThreatModel, NDArray, NDArray)} does, against a domain
     * already bound to it (an attack binds it once per batch and clips with the same arrays). With
     * per-feature bounds the message names the first component outside them: its feature index,
     * example, value and bounds. One host read.
     *
     * @param bounds the domain bound to {@code x}
     * @param x the clean inputs, shape {@code (B, ...)}
     * @param y the labels
     * @return the labels as a vector and their largest value
     * @throws NonFiniteValueException if {@code x} ("x") or {@code y} ("y") is not finite
     * @throws IllegalArgumentException if {@code x} leaves the domain or the labels are not class
     *     indices
     */
    public static CheckedLabels checkBatch(DomainBounds bounds, NDArray x, NDArray y) {
        NDArray labels = labelVector(x, y);
        InputDomain domain = bounds.domain();
        if (bounds.isScalar()) {
            double[] s = read(minMax(x), labelStatistics(labels));
            checkFiniteRange("x", s[0], s[1]);
            double lower = domain.smallestLowerBound();
            double upper = domain.largestUpperBound();
            if (s[0] < lower || s[1] > upper) {
                throw new IllegalArgumentException(
                        String.format(
                                Locale.ROOT,
                                "x must lie in the threat model's bounds [%s, %s] but ranged over"
                                        + " [%s, %s]; scale the inputs to the bounds (pixels in"
                                        + " [0, 255]: divide by 255; inputs in [-1, 1]: (x + 1) /"
                                        + " 2), normalize inside the model, or set the"
                                        + " ThreatModel's bounds",
                                lower,
                                upper,
                                s[0],
                                s[1]));
            }
            return checkLabels(labels, s, 2);
        }
        NDList scalars = minMax(x);
        scalars.addAll(bounds.outsideScalars(x));
        double[] s = read(scalars, labelStatistics(labels));
        checkFiniteRange("x", s[0], s[1]);
        String outside = bounds.describeOutside(s, 2);
        if (outside != null) {
            throw new IllegalArgumentException(
                    "x must lie in the threat model's per-feature bounds but "
                            + outside
                            + "; bring the inputs to the scale the bounds describe (the same"
                            + " scaling for training and test data), or widen the ThreatModel's"
                            + " featureBounds");
        }
        return checkLabels(labels, s, 5);
    }

    /**
     * Checks the arrays {@code AwpOptimizer.perturb} reads: {@code x} and {@code xAdv} finite, the
     * labels as in {@link #checkBatch}. One host read.
     *
     * @param x the clean inputs
     * @param xAdv the adversarial inputs
     * @param y the labels
     * @return the labels as a vector and their largest value
     * @throws NonFiniteValueException if {@code x} ("x"), {@code xAdv} ("x_adv") or {@code y} ("y")
     *     is not finite
     * @throws IllegalArgumentException if the labels are not class indices
     */
    public static CheckedLabels checkFiniteInputs(NDArray x, NDArray xAdv, NDArray y) {
        NDArray labels = labelVector(x, y);
        NDList scalars = minMax(x);
        scalars.addAll(minMax(xAdv));
        double[] s = read(scalars, labelStatistics(labels));
        checkFiniteRange("x", s[0], s[1]);
        if (hasNonFinite(s[2], s[3])) {
            throw new NonFiniteValueException(
                    "x_adv",
                    String.format(
                            Locale.ROOT,
                            "x_adv must be finite but ranged over [%s, %s]: the attack returned NaN"
                                    + " or infinity from finite x, so the model's logits were"
                                    + " probably non-finite. Training may have diverged: lower the"
                                    + " learning rate, or check the model's weights",
                            s[2],
                            s[3]));
        }
        return checkLabels(labels, s, 4);
    }

    /**
     * The index of the first array holding a NaN or an infinity, by one sum per array and one host
     * read. A sum that overflows (float32 values near 1e38) counts as non-finite too.
     *
     * @param arrays the arrays, any shapes and floating types
     * @return the index of the first non-finite array, or -1 if all are finite
     */
    public static int firstNonFinite(List<NDArray> arrays) {
        if (arrays.isEmpty()) {
            return -1;
        }
        NDList sums = new NDList(arrays.size());
        for (NDArray array : arrays) {
            sums.add(array.sum());
        }
        double[] s = read(sums, new NDList());
        for (int i = 0; i < s.length; i++) {
            if (!Double.isFinite(s[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The index of the first scalar that is NaN or infinite, read with one host transfer; the
     * scalars stay open.
     *
     * @param scalars 0-dimensional arrays
     * @return the index, or -1 if every scalar is finite
     */
    public static int firstNonFiniteScalar(List<NDArray> scalars) {
        if (scalars.isEmpty()) {
            return -1;
        }
        double[] s = read(new NDList(scalars), new NDList(), false);
        for (int i = 0; i < s.length; i++) {
            if (!Double.isFinite(s[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Sets every element to zero, also NaN and infinite ones (for which {@code a - a} is NaN).
     *
     * @param array the array to clear in place
     */
    public static void zero(NDArray array) {
        try (NDManager local = array.getManager().newSubManager()) {
            array.tempAttach(local);
            array.set(new NDIndex("..."), 0);
        }
    }

    /**
     * Copies {@code source} into {@code target} in place, bit for bit (also over NaN or infinite
     * values), keeping {@code target}'s identity and gradient flag.
     *
     * @param target the array to overwrite, such as a live weight
     * @param source an array of the same shape and type
     */
    public static void copy(NDArray target, NDArray source) {
        try (NDManager local = target.getManager().newSubManager()) {
            target.tempAttach(local);
            target.set(new NDIndex("..."), source);
        }
    }

    /** Labels with a known largest value, checked against the logits' class count later. */
    public static final class CheckedLabels {
        private final NDArray vector;
        private final long max;

        CheckedLabels(NDArray vector, long max) {
            this.vector = vector;
            this.max = max;
        }

        /**
         * The labels, shape {@code (B)}, in their original type.
         *
         * @return the labels as a vector (a view of the caller's array)
         */
        public NDArray vector() {
            return vector;
        }

        /**
         * Checks that the labels index the logits' classes; a host comparison, no transfer.
         *
         * @param logits logits of shape {@code (B, C)}
         * @throws IllegalArgumentException if a label is {@code >= C}
         */
        public void checkClasses(NDArray logits) {
            long classes = logits.getShape().get(logits.getShape().dimension() - 1);
            if (max >= classes) {
                throw new IllegalArgumentException(
                        String.format(
                                Locale.ROOT,
                                "labels must be in [0, %d) (the logits' class count) but one was"
                                        + " %d",
                                classes,
                                max));
            }
        }
    }

    /** {@code y} as a vector of length B: shape (B) or (B, 1). */
    private static NDArray labelVector(NDArray x, NDArray y) {
        long batch = x.getShape().get(0);
        Shape shape = y.getShape();
        boolean vector = shape.dimension() == 1 && shape.get(0) == batch;
        boolean column = shape.dimension() == 2 && shape.get(0) == batch && shape.get(1) == 1;
        if (!vector && !column) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "labels must have shape (%d) or (%d, 1), one class index per example"
                                    + " of x %s, but was %s",
                            batch,
                            batch,
                            x.getShape(),
                            shape));
        }
        DataType type = y.getDataType();
        if (!type.isInteger() && !type.isFloating()) {
            throw new IllegalArgumentException(
                    "labels must be class indices of an integer or floating type but was of type "
                            + type);
        }
        return column ? y.reshape(batch) : y;
    }

    /** min, max and (floating types) the largest fractional part. */
    private static NDList labelStatistics(NDArray labels) {
        NDList s = minMax(labels);
        if (labels.getDataType().isFloating()) {
            s.add(labels.sub(labels.floor()).max());
        }
        return s;
    }

    private static CheckedLabels checkLabels(NDArray labels, double[] s, int from) {
        double min = s[from];
        double max = s[from + 1];
        if (hasNonFinite(min, max)) {
            throw new NonFiniteValueException(
                    "y",
                    String.format(
                            Locale.ROOT,
                            "y (the labels) must be finite but ranged over [%s, %s]",
                            min,
                            max));
        }
        if (s.length > from + 2 && s[from + 2] != 0) {
            throw new IllegalArgumentException(
                    "labels must be integral class indices but one was " + firstFractional(labels));
        }
        if (min < 0) {
            throw new IllegalArgumentException(
                    String.format(Locale.ROOT, "labels must be >= 0 but one was %d", (long) min));
        }
        return new CheckedLabels(labels, (long) max);
    }

    /** The first non-integral label; only on the error path. */
    private static double firstFractional(NDArray labels) {
        for (double value : labels.toType(DataType.FLOAT64, false).toDoubleArray()) {
            if (value != Math.floor(value)) {
                return value;
            }
        }
        return Double.NaN;
    }

    private static boolean hasNonFinite(double min, double max) {
        return !Double.isFinite(min) || !Double.isFinite(max);
    }

    private static void checkFiniteRange(String quantity, double min, double max) {
        if (hasNonFinite(min, max)) {
            throw new NonFiniteValueException(
                    quantity,
                    String.format(
                            Locale.ROOT,
                            "%s must be finite but ranged over [%s, %s] (NaN or infinity)",
                            quantity,
                            min,
                            max));
        }
    }

    private static NDList minMax(NDArray array) {
        return new NDList(array.min(), array.max());
    }

    /**
     * Stacks the scalars as float64 and reads them with one transfer; closes every intermediate and
     * the scalars themselves.
     */
    private static double[] read(NDList first, NDList second) {
        return read(first, second, true);
    }

    /** As {@link #read(NDList, NDList)}, closing the scalars only if {@code closeInputs}. */
    private static double[] read(NDList first, NDList second, boolean closeInputs) {
        List<NDArray> all = new ArrayList<>(first);
        all.addAll(second);
        NDList cast = new NDList(all.size());
        try {
            for (NDArray scalar : all) {
                cast.add(scalar.toType(DataType.FLOAT64, false));
            }
            try (NDArray stacked = NDArrays.stack(cast)) {
                return stacked.toDoubleArray();
            }
        } finally {
            for (int i = 0; i < cast.size(); i++) {
                if (cast.get(i) != all.get(i)) {
                    cast.get(i).close();
                }
            }
            if (closeInputs) {
                for (NDArray a : all) {
                    a.close();
                }
            }
        }
    }
}
