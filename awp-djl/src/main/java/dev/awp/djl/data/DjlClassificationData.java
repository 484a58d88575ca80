package dev.awp.djl.data;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import ai.djl.translate.TranslateException;
import dev.awp.djl.internal.SplitMix64;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@link ClassificationData} over a DJL {@link RandomAccessDataset}, made by {@link
 * ClassificationData#of(String, RandomAccessDataset, int)}.
 *
 * <p>A batch is read through DJL itself ({@link RandomAccessDataset#getData(NDManager, Sampler)}
 * with a sampler that yields exactly the batch's indices), so the dataset's pipeline, target
 * pipeline and batchifiers apply as in a DJL training loop. It is read into a scratch sub-manager;
 * the float32 inputs and the int64 labels are then created in the batch's own sub-manager and the
 * scratch manager, with every per-example array, is closed before the batch is returned.
 *
 * <p>Instances are immutable views: {@link #subset} shares the dataset and maps indices.
 */
final class DjlClassificationData implements ClassificationData {

    /** The stream of {@link ImageDataset}'s epoch order, so the same size gives the same order. */
    private static final long ORDER_STREAM = 0x6f72646572L;

    private static final long SUBSET_STREAM = 0x737562L;
    private static final long TRANSFORM_STREAM = 0x7472616e73L;

    private final String name;
    private final RandomAccessDataset dataset;
    private final int numClasses;
    private final int[] positions;
    private final Shape inputShape;

    private DjlClassificationData(
            String name,
            RandomAccessDataset dataset,
            int numClasses,
            int[] positions,
            Shape inputShape) {
        this.name = name;
        this.dataset = dataset;
        this.numClasses = numClasses;
        this.positions = positions;
        this.inputShape = inputShape;
    }

    /** Prepares the dataset and reads its first example for the input shape. */
    static DjlClassificationData create(String name, RandomAccessDataset dataset, int numClasses) {
        requireNonNull(name, "name");
        requireNonNull(dataset, "dataset");
        checkArgument(!name.isBlank(), "name must not be blank but was '%s'", name);
        checkArgument(numClasses >= 2, "numClasses must be >= 2 but was %s", numClasses);
        try {
            dataset.prepare();
        } catch (IOException e) {
            throw new UncheckedIOException("dataset " + name + " could not be prepared", e);
        } catch (TranslateException e) {
            throw new IllegalStateException("dataset " + name + " could not be prepared", e);
        }
        long size = dataset.size();
        checkArgument(
                size >= 1 && size <= Integer.MAX_VALUE,
                "dataset size must be in [1, %s] but was %s",
                Integer.MAX_VALUE,
                size);
        int[] positions = new int[(int) size];
        Arrays.setAll(positions, i -> i);
        Shape first;
        try (NDManager scope = NDManager.newBaseManager()) {
            NDArray x = single(readRaw(dataset, scope, new long[] {0}).getData(), 0, "data");
            checkArgument(
                    x.getShape().dimension() >= 2,
                    "the input of example 0 must have at least one axis but was a scalar");
            first = x.getShape().slice(1);
        }
        return new DjlClassificationData(name, dataset, numClasses, positions, first);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return positions.length;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public Shape inputShape() {
        return inputShape;
    }

    /** The epoch order, the same permutation as {@link ImageDataset#epochOrder} for this size. */
    int[] epochOrder(long seed, int epoch) {
        checkArgument(epoch >= 0, "epoch must be >= 0 but was %s", epoch);
        int[] order = new int[positions.length];
        Arrays.setAll(order, i -> i);
        SplitMix64.derive(seed, ORDER_STREAM, epoch).shuffle(order);
        return order;
    }

    @Override
    public Iterable<Batch> trainingBatches(
            NDManager manager, int batchSize, long seed, int epoch, Augmentation augmentation) {
        requireNonNull(manager, "manager");
        requireNonNull(augmentation, "augmentation");
        checkArgument(
                augmentation.isIdentity(),
                "augmentation must be Augmentation.none() for a DJL dataset but was %s; add DJL"
                        + " transforms to the dataset's pipeline instead (addTransform on its"
                        + " builder)",
                augmentation);
        int total = numBatches(batchSize);
        int[] order = epochOrder(seed, epoch);
        return () -> new BatchIterator(manager, order, batchSize, total, seed, epoch);
    }

    @Override
    public Iterable<Batch> evaluationBatches(NDManager manager, int batchSize) {
        requireNonNull(manager, "manager");
        int total = numBatches(batchSize);
        int[] order = new int[positions.length];
        Arrays.setAll(order, i -> i);
        return () -> new BatchIterator(manager, order, batchSize, total, 0, -1);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Not stratified: the examples are drawn without replacement by a generator seeded with
     * {@code seed} and kept in their order. The subset is a view of the same DJL dataset.
     */
    @Override
    public ClassificationData subset(int size, long seed) {
        checkArgument(
                size >= 1 && size <= positions.length,
                "size must be in [1, %s] but was %s",
                positions.length,
                size);
        SplitMix64 rng = SplitMix64.derive(seed, SUBSET_STREAM);
        int[] pool = new int[positions.length];
        Arrays.setAll(pool, i -> i);
        for (int i = 0; i < size; i++) {
            int j = i + rng.nextInt(positions.length - i);
            int tmp = pool[i];
            pool[i] = pool[j];
            pool[j] = tmp;
        }
        int[] chosen = Arrays.copyOf(pool, size);
        Arrays.sort(chosen);
        int[] subPositions = new int[size];
        for (int i = 0; i < size; i++) {
            subPositions[i] = positions[chosen[i]];
        }
        String subName = name + "[subset of " + size + ", seed " + seed + "]";
        return new DjlClassificationData(subName, dataset, numClasses, subPositions, inputShape);
    }

    /** The dataset indices behind positions of this view, for tests. */
    int datasetIndex(int position) {
        return positions[Objects.checkIndex(position, positions.length)];
    }

    @Override
    public String toString() {
        return name
                + " ("
                + positions.length
                + " examples of shape "
                + inputShape
                + ", "
                + numClasses
                + " classes)";
    }

    /** Reads the given dataset indices through DJL's own batching, into {@code scope}. */
    private static Batch readRaw(RandomAccessDataset dataset, NDManager scope, long[] indices) {
        List<Long> list = Arrays.stream(indices).boxed().toList();
        Sampler sampler =
                new Sampler() {
                    @Override
                    public Iterator<List<Long>> sample(RandomAccessDataset ignored) {
                        return List.of(list).iterator();
                    }

                    @Override
                    public int getBatchSize() {
                        return list.size();
                    }
                };
        try {
            Iterator<Batch> batches = dataset.getData(scope, sampler).iterator();
            return batches.next();
        } catch (IOException e) {
            throw new UncheckedIOException("examples " + list + " could not be read", e);
        } catch (TranslateException e) {
            throw new IllegalStateException("examples " + list + " could not be read", e);
        }
    }

    private static NDArray single(NDList list, long firstIndex, String what) {
        checkArgument(
                list.size() == 1,
                "a record must hold one %s array but example %s held %s",
                what,
                firstIndex,
                list.size());
        return list.get(0);
    }

    /** Builds batch after batch; each reads its examples into a scratch manager closed at once. */
    private final class BatchIterator extends OrderedBatches {
        private final NDManager manager;
        private final long seed;
        private final int epoch;

        /** {@code epoch < 0} for evaluation: the engine's generator is left alone. */
        BatchIterator(
                NDManager manager, int[] order, int batchSize, int total, long seed, int epoch) {
            super(manager, order, batchSize, total);
            this.manager = manager;
            this.seed = seed;
            this.epoch = epoch;
        }

        @Override
        NDList read(NDManager batchManager, int batchIndex, int from, int to) {
            long[] indices = new long[to - from];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = positions[orderAt(from + i)];
            }
            if (epoch >= 0) {
                // random transforms in the dataset's pipeline draw from the engine's generators
                long draw = SplitMix64.derive(seed, TRANSFORM_STREAM, epoch, batchIndex).nextLong();
                manager.getEngine().setRandomSeed((int) (draw >>> 33));
            }
            return assemble(manager, batchManager, indices);
        }
    }

    /** Reads, checks and converts one batch; x and y end up in {@code batchManager}. */
    private NDList assemble(NDManager manager, NDManager batchManager, long[] indices) {
        Device device = manager.getDevice();
        try (NDManager scope = manager.newSubManager()) {
            Batch raw;
            try {
                raw = readRaw(dataset, scope, indices);
            } catch (RuntimeException e) {
                checkShapesOneByOne(indices, e);
                throw e;
            }
            NDArray rawX = single(raw.getData(), indices[0], "data");
            NDArray rawY = single(raw.getLabels(), indices[0], "label");
            Shape expected = new Shape(indices.length).addAll(inputShape);
            if (!rawX.getShape().equals(expected)) {
                checkShapesOneByOne(indices, null);
                throw new IllegalArgumentException(
                        "the inputs of examples "
                                + Arrays.toString(indices)
                                + " must stack to "
                                + expected
                                + " but stacked to "
                                + rawX.getShape());
            }
            NDArray x =
                    rawX.getDataType() == DataType.FLOAT32
                            ? rawX.duplicate()
                            : rawX.toType(DataType.FLOAT32, false);
            if (!x.getDevice().equals(device)) {
                x = x.toDevice(device, false);
            }
            checkFinite(x, indices);
            long[] classes = classes(rawY, indices);
            x.attach(batchManager);
            x.setName("x");
            NDArray y = batchManager.create(classes);
            y.setName("y");
            return new NDList(x, y);
        }
    }

    /** Finds the first example whose own input shape is not {@link #inputShape}, if any. */
    private void checkShapesOneByOne(long[] indices, RuntimeException cause) {
        for (long index : indices) {
            Shape shape;
            try (NDManager scope = NDManager.newBaseManager()) {
                NDArray x =
                        single(
                                readRaw(dataset, scope, new long[] {index}).getData(),
                                index,
                                "data");
                shape = x.getShape().slice(1);
            }
            if (!shape.equals(inputShape)) {
                throw new IllegalArgumentException(
                        "the input of example "
                                + index
                                + " must have shape "
                                + inputShape
                                + " (that of example 0) but was "
                                + shape,
                        cause);
            }
        }
    }

    private static void checkFinite(NDArray x, long[] indices) {
        if (Float.isFinite(x.sum().getFloat())) {
            return;
        }
        float[] values = x.toFloatArray();
        int perExample = values.length / indices.length;
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(
                        "inputs must be finite but example "
                                + indices[i / perExample]
                                + " had "
                                + values[i]
                                + " at flat position "
                                + i % perExample);
            }
        }
    }

    /** The labels as class indices: integers, or integral floats, shaped (B) or (B, 1). */
    private long[] classes(NDArray y, long[] indices) {
        Shape shape = y.getShape();
        boolean column = shape.dimension() == 2 && shape.get(1) == 1;
        checkArgument(
                shape.dimension() >= 1
                        && shape.get(0) == indices.length
                        && (shape.dimension() == 1 || column),
                "the labels of examples from %s must stack to (%s) or (%s, 1) but stacked to %s",
                indices[0],
                indices.length,
                indices.length,
                shape);
        DataType type = y.getDataType();
        long[] classes = new long[indices.length];
        if (type.isInteger()) {
            long[] values = y.toType(DataType.INT64, false).toLongArray();
            for (int i = 0; i < classes.length; i++) {
                classes[i] = checkClass(values[i], indices[i], Long.toString(values[i]));
            }
        } else if (type.isFloating()) {
            double[] values = y.toType(DataType.FLOAT64, false).toDoubleArray();
            for (int i = 0; i < classes.length; i++) {
                double value = values[i];
                String shown = String.format(Locale.ROOT, "%s", value);
                checkArgument(
                        value == Math.rint(value),
                        "the label of example %s must be an integral class index but was %s",
                        indices[i],
                        shown);
                classes[i] = checkClass((long) value, indices[i], shown);
            }
        } else {
            throw new IllegalArgumentException(
                    "labels must be integer or floating class indices but example "
                            + indices[0]
                            + " had type "
                            + type);
        }
        return classes;
    }

    private long checkClass(long value, long index, String shown) {
        checkArgument(
                value >= 0 && value < numClasses,
                "the label of example %s must be in [0, %s) but was %s",
                index,
                numClasses,
                shown);
        return value;
    }
}
