package dev.awp.examples.benchmark;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.translate.TranslateException;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ClassificationData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Measures batch assembly by {@link ClassificationData#of(RandomAccessDataset, int)} on two DJL
 * {@link ArrayDataset}s, images of 3×32×32 and vectors of 20 features: the time to build a batch
 * (the iterator's {@code next()}), side by side with DJL's own {@code getData} iteration of the
 * same dataset, and the number of live NDArrays in the engine before and after the batches (each
 * batch closed after use), which must not grow.
 *
 * <pre>
 * ./mvnw -q verify -Prun -pl awp-examples -am -DskipTests \
 *     -Dexample.main=dev.awp.examples.benchmark.DatasetAdapterBenchmark
 * </pre>
 *
 * Options: {@code --batches N} (default 100), {@code --batch-size N} (64), {@code --size N} (the
 * examples per dataset, 1024).
 */
public final class DatasetAdapterBenchmark {

    private DatasetAdapterBenchmark() {}

    /**
     * What one dataset measured.
     *
     * @param dataset the dataset's name
     * @param inputShape the shape of one input
     * @param batchSize the batch size
     * @param batches the number of batches timed
     * @param adapterMillis the median time to assemble a batch through the adapter, milliseconds
     * @param djlMillis the median time of DJL's own iteration of the same dataset, milliseconds
     * @param liveBefore the live NDArrays in the engine before the batches
     * @param liveAfter the live NDArrays in the engine after the batches, each closed
     */
    public record Measurement(
            String dataset,
            Shape inputShape,
            int batchSize,
            int batches,
            double adapterMillis,
            double djlMillis,
            int liveBefore,
            int liveAfter) {}

    /**
     * Runs the benchmark from the command line.
     *
     * @param args the options; see the class documentation
     */
    public static void main(String[] args) {
        runExample(args);
    }

    /**
     * Runs the measurements and prints a table.
     *
     * @param args the options; see the class documentation
     * @return one measurement per dataset
     * @throws IllegalArgumentException if an option is invalid
     */
    public static List<Measurement> runExample(String... args) {
        int batches = option(args, "batches", 100);
        int batchSize = option(args, "batch-size", 64);
        int size = option(args, "size", 1024);
        List<Measurement> results = new ArrayList<>();
        try (NDManager data = NDManager.newBaseManager()) {
            results.add(
                    measure(
                            "images 3x32x32",
                            data,
                            new Shape(3, 32, 32),
                            size,
                            batchSize,
                            batches));
            results.add(measure("features 20", data, new Shape(20), size, batchSize, batches));
        }
        System.out.printf(
                Locale.ROOT,
                "| %-16s | %5s | %7s | %15s | %15s | %11s | %10s |%n",
                "dataset",
                "batch",
                "batches",
                "adapter ms/batch",
                "DJL ms/batch",
                "live before",
                "live after");
        for (Measurement m : results) {
            System.out.printf(
                    Locale.ROOT,
                    "| %-16s | %5d | %7d | %15.3f | %15.3f | %11d | %10d |%n",
                    m.dataset(),
                    m.batchSize(),
                    m.batches(),
                    m.adapterMillis(),
                    m.djlMillis(),
                    m.liveBefore(),
                    m.liveAfter());
        }
        return results;
    }

    private static Measurement measure(
            String name, NDManager data, Shape inputShape, int size, int batchSize, int batches) {
        long[] labels = new long[size];
        Arrays.setAll(labels, i -> i % 10);
        ArrayDataset dataset =
                new ArrayDataset.Builder()
                        .setData(data.randomUniform(0, 1, new Shape(size).addAll(inputShape)))
                        .optLabels(data.create(labels))
                        .setSampling(batchSize, true)
                        .build();
        ClassificationData adapter = ClassificationData.of(name, dataset, 10);
        try (NDManager owner = data.newSubManager()) {
            NDManager root = NativeMemory.root(owner);
            Source ours = new Source(() -> adapterEpoch(adapter, owner, batchSize));
            Source djl = new Source(() -> djlEpoch(dataset, owner));
            ours.time(10); // warm-up
            djl.time(10);
            int liveBefore = NativeMemory.liveArrays(root).size();
            // alternate in rounds of 10 so that both see the same load on a shared machine
            for (int done = 0; done < batches; done += 10) {
                ours.time(Math.min(10, batches - done));
                djl.time(Math.min(10, batches - done));
            }
            int liveAfter = NativeMemory.liveArrays(root).size();
            return new Measurement(
                    name,
                    inputShape,
                    batchSize,
                    batches,
                    ours.medianMillis(10),
                    djl.medianMillis(10),
                    liveBefore,
                    liveAfter);
        }
    }

    private static Iterator<Batch> adapterEpoch(
            ClassificationData data, NDManager owner, int batchSize) {
        return data.trainingBatches(owner, batchSize, 1, 0, Augmentation.none()).iterator();
    }

    private static Iterator<Batch> djlEpoch(RandomAccessDataset dataset, NDManager owner) {
        try {
            return dataset.getData(owner).iterator();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TranslateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Times {@code next()} of successive epochs' iterators; each batch is closed at once. */
    private static final class Source {
        private final Supplier<Iterator<Batch>> epochs;
        private final List<Long> nanos = new ArrayList<>();
        private Iterator<Batch> iterator;

        Source(Supplier<Iterator<Batch>> epochs) {
            this.epochs = epochs;
        }

        void time(int batches) {
            for (int i = 0; i < batches; i++) {
                if (iterator == null || !iterator.hasNext()) {
                    iterator = epochs.get();
                }
                long start = System.nanoTime();
                Batch batch = iterator.next();
                nanos.add(System.nanoTime() - start);
                batch.close();
            }
        }

        /** The median, milliseconds, of the times after the first {@code skip} (the warm-up). */
        double medianMillis(int skip) {
            long[] sorted =
                    nanos.subList(skip, nanos.size()).stream().mapToLong(Long::longValue).toArray();
            return median(sorted);
        }
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }

    private static int option(String[] args, String name, int defaultValue) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--" + name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " must have a value");
                }
                int value = Integer.parseInt(args[i + 1]);
                if (value < 1) {
                    throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
                }
                return value;
            }
        }
        return defaultValue;
    }
}
