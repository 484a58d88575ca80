package dev.awp.djl.internal;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.InputDomain;
import java.util.Locale;

/**
 * An {@link InputDomain} bound to a batch {@code x} of shape {@code (B, ...)}: what attacks clip to
 * and checks compare with. A scalar domain keeps its two numbers, so clipping is the scalar {@code
 * clip}, {@code maximum} and {@code minimum} it always was. A per-feature domain becomes two arrays
 * of shape {@code (1, ...)} (the shape of one example), in the batch's data type and on its device,
 * created once and broadcast over the batch (and over any subset of it) by every operation.
 *
 * <p>Internal to awp; not part of the API.
 */
public final class DomainBounds {

    private final InputDomain domain;
    private final Shape exampleShape;
    private final DataType type;
    private final double lower;
    private final double upper;
    private final NDArray lowerArray;
    private final NDArray upperArray;

    private DomainBounds(
            InputDomain domain,
            Shape exampleShape,
            DataType type,
            NDArray lowerArray,
            NDArray upperArray) {
        this.domain = domain;
        this.exampleShape = exampleShape;
        this.type = type;
        this.lower = domain.smallestLowerBound();
        this.upper = domain.largestUpperBound();
        this.lowerArray = lowerArray;
        this.upperArray = upperArray;
    }

    /**
     * Binds a domain to a batch, checking that per-feature bounds match one example's elements.
     *
     * @param domain the input domain
     * @param x the batch, shape {@code (B, ...)}; only its shape, type and device are read
     * @param manager where the bound arrays of a per-feature domain live (closed by the caller,
     *     typically at the end of the batch)
     * @return the bound domain
     * @throws IllegalArgumentException if the domain has per-feature bounds and their number is not
     *     the number of elements of one example of {@code x}
     */
    public static DomainBounds of(InputDomain domain, NDArray x, NDManager manager) {
        requireNonNull(domain, "domain");
        Shape shape = x.getShape();
        Shape exampleShape = shape.slice(1);
        if (domain.isScalar()) {
            return new DomainBounds(domain, exampleShape, x.getDataType(), null, null);
        }
        long elements = exampleShape.size();
        if (elements != domain.featureCount()) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "the threat model's per-feature bounds must have one pair per element"
                                    + " of an example of x (shape %s: %d elements, flattened in"
                                    + " row-major order) but had shape (%d); give inputs of"
                                    + " shape (B, %d) or bounds for every element",
                            exampleShape,
                            elements,
                            domain.featureCount(),
                            domain.featureCount()));
        }
        long[] dims = new long[shape.dimension()];
        dims[0] = 1;
        for (int i = 1; i < dims.length; i++) {
            dims[i] = shape.get(i);
        }
        Shape broadcast = new Shape(dims);
        return new DomainBounds(
                domain,
                exampleShape,
                x.getDataType(),
                array(manager, domain.lowerBounds(), x, broadcast),
                array(manager, domain.upperBounds(), x, broadcast));
    }

    private static NDArray array(NDManager manager, double[] values, NDArray x, Shape shape) {
        return manager.create(values)
                .toType(x.getDataType(), false)
                .toDevice(x.getDevice(), false)
                .reshape(shape);
    }

    /**
     * Whether one pair of bounds applies to every component.
     *
     * @return {@code true} for a scalar domain
     */
    public boolean isScalar() {
        return lowerArray == null;
    }

    /**
     * The bound domain.
     *
     * @return the input domain
     */
    public InputDomain domain() {
        return domain;
    }

    /**
     * Clips every component into the domain.
     *
     * @param a an array shaped like the batch (or a subset of it)
     * @return a new array inside the domain
     */
    public NDArray clip(NDArray a) {
        if (isScalar()) {
            return a.clip(lower, upper);
        }
        return a.maximum(lowerArray).minimum(upperArray);
    }

    /**
     * The element-wise maximum with the lower bounds, such as {@code max(x − ε, lower)}.
     *
     * @param a an array shaped like the batch
     * @return a new array
     */
    public NDArray atLeastLower(NDArray a) {
        return isScalar() ? a.maximum(lower) : a.maximum(lowerArray);
    }

    /**
     * The element-wise minimum with the upper bounds, such as {@code min(x + ε, upper)}.
     *
     * @param a an array shaped like the batch
     * @return a new array
     */
    public NDArray atMostUpper(NDArray a) {
        return isScalar() ? a.minimum(upper) : a.minimum(upperArray);
    }

    /**
     * Three device scalars for one host read together with others: the number of components of
     * {@code a} outside the domain, the flat index of the first (0 if none), and its value.
     * Components that are NaN are not counted (check finiteness separately). Every intermediate is
     * closed; the three scalars belong to the caller.
     *
     * @param a an array shaped like the batch
     * @return {@code [count, firstIndex, firstValue]}
     */
    public NDList outsideScalars(NDArray a) {
        NDArray outside;
        if (isScalar()) {
            try (NDArray below = a.lt(lower);
                    NDArray above = a.gt(upper)) {
                outside = below.logicalOr(above);
            }
        } else {
            try (NDArray below = a.lt(lowerArray);
                    NDArray above = a.gt(upperArray)) {
                outside = below.logicalOr(above);
            }
        }
        try (NDArray flags = outside.reshape(-1).toType(DataType.INT32, false);
                NDArray flat = a.reshape(-1)) {
            NDArray count = flags.sum();
            NDArray first = flags.argMax();
            NDArray value;
            try (NDArray index = first.reshape(1);
                    NDArray picked = flat.get(new NDIndex("{}", index))) {
                value = picked.squeeze();
            }
            return new NDList(count, first, value);
        } finally {
            outside.close();
        }
    }

    /**
     * Describes the first component outside the domain from the scalars of {@link #outsideScalars},
     * read on the host.
     *
     * @param s the host values
     * @param from the position of the count in {@code s}
     * @return for example {@code "the first of 5 values outside, feature 7 of example 2, was 12.5
     *     (bounds [0.0, 10.0])"}, or {@code null} if no component was outside
     */
    public String describeOutside(double[] s, int from) {
        long count = (long) s[from];
        if (count == 0) {
            return null;
        }
        long index = (long) s[from + 1];
        long perExample = Math.max(exampleShape.size(), 1);
        long example = index / perExample;
        int feature = (int) (index % perExample);
        double low = isScalar() ? lower : domain.lowerBounds()[feature];
        double high = isScalar() ? upper : domain.upperBounds()[feature];
        return String.format(
                Locale.ROOT,
                "%s, feature %d of example %d, was %s (bounds [%s, %s])",
                count == 1 ? "the only value outside" : "the first of " + count + " values outside",
                feature,
                example,
                type == DataType.FLOAT64
                        ? Double.toString(s[from + 2])
                        : Float.toString((float) s[from + 2]),
                low,
                high);
    }
}
