package dev.awp.djl.data;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.Batchifier;
import com.google.common.math.IntMath;
import dev.awp.djl.internal.SplitMix64;
import dev.awp.internal.Checks;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Labelled data and extra sources mixed in every training batch at fixed fractions, with per-source
 * loss weights; see {@link ClassificationData#mixed(ClassificationData, double, List)}.
 */
final class MixedData implements ClassificationData {

    private static final long EXTRA_STREAM = 0x6578747261L;

    private final ClassificationData labelled;
    private final double labelledWeight;
    private final List<MixedSource> sources;

    MixedData(ClassificationData labelled, double labelledWeight, List<MixedSource> sources) {
        this.labelled = requireNonNull(labelled, "labelled");
        this.labelledWeight = Checks.positive("labelledLossWeight", labelledWeight);
        this.sources = List.copyOf(requireNonNull(sources, "sources"));
        checkArgument(!this.sources.isEmpty(), "sources must not be empty");
        double sum = 0;
        for (int j = 0; j < this.sources.size(); j++) {
            ClassificationData extra = this.sources.get(j).data();
            String name = this.sources.size() == 1 ? "extra" : "sources[" + j + "]";
            checkArgument(
                    extra.inputShape().equals(labelled.inputShape()),
                    "%s.inputShape must be the labelled data's (%s) but was %s",
                    name,
                    labelled.inputShape(),
                    extra.inputShape());
            checkArgument(
                    extra.numClasses() == labelled.numClasses(),
                    "%s.numClasses must be the labelled data's (%s) but was %s",
                    name,
                    labelled.numClasses(),
                    extra.numClasses());
            sum += this.sources.get(j).fraction();
        }
        checkArgument(
                sum < 1, "the sources' fractions must sum to less than 1 but summed to %s", sum);
    }

    /** Whether a batch carries loss weights: some weight is not 1. */
    boolean weighted() {
        return labelledWeight != 1 || sources.stream().anyMatch(s -> s.lossWeight() != 1);
    }

    /**
     * The counts of a full batch, labelled first then each source in order, by the largest
     * remainder of the quotas (see {@link ClassificationData#mixed(ClassificationData, double,
     * List)}); each at least 1.
     */
    int[] countsPerBatch(int batchSize) {
        checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
        int m = sources.size();
        double[] quota = new double[m + 1];
        double extraQuota = 0;
        for (int j = 0; j < m; j++) {
            quota[j + 1] = sources.get(j).fraction() * batchSize;
            extraQuota += quota[j + 1];
        }
        quota[0] = batchSize - extraQuota;
        int[] counts = new int[m + 1];
        int assigned = 0;
        for (int j = 0; j <= m; j++) {
            counts[j] = (int) Math.floor(quota[j]);
            assigned += counts[j];
        }
        // the missing examples go to the largest fractional parts; ties: sources, then labelled
        Integer[] order = new Integer[m + 1];
        for (int j = 0; j <= m; j++) {
            order[j] = (j + 1) % (m + 1);
        }
        Arrays.sort(
                order,
                (a, b) ->
                        Double.compare(
                                quota[b] - Math.floor(quota[b]), quota[a] - Math.floor(quota[a])));
        for (int i = 0; assigned < batchSize; i++, assigned++) {
            counts[order[i % (m + 1)]]++;
        }
        for (int j = 1; j <= m; j++) {
            checkArgument(
                    counts[j] >= 1 && counts[0] >= 1,
                    "the batch counts of %s must all be >= 1 but were %s (fractions %s, batchSize"
                            + " %s): use a larger batch",
                    m == 1 ? "the labelled data and the extra source" : "every source",
                    Arrays.toString(counts),
                    fractions(),
                    batchSize);
        }
        return counts;
    }

    private List<Double> fractions() {
        List<Double> fractions = new ArrayList<>();
        sources.forEach(s -> fractions.add(s.fraction()));
        return fractions;
    }

    @Override
    public String name() {
        StringBuilder name = new StringBuilder(labelled.name());
        if (labelledWeight != 1) {
            name.append(String.format(Locale.ROOT, " (loss weight %s)", labelledWeight));
        }
        for (MixedSource source : sources) {
            name.append(
                    String.format(
                            Locale.ROOT,
                            " + %s of each batch from %s",
                            source.fraction(),
                            source.data().name()));
            if (source.lossWeight() != 1) {
                name.append(String.format(Locale.ROOT, " (loss weight %s)", source.lossWeight()));
            }
        }
        return name.toString();
    }

    /** The labelled examples and the extra ones. */
    @Override
    public int size() {
        int size = labelled.size();
        for (MixedSource source : sources) {
            size += source.data().size();
        }
        return size;
    }

    @Override
    public int numClasses() {
        return labelled.numClasses();
    }

    @Override
    public Shape inputShape() {
        return labelled.inputShape();
    }

    /** One pass over the labelled data: {@code ceil(labelled.size / k_0)}. */
    @Override
    public int numBatches(int batchSize) {
        int labelledPerBatch = countsPerBatch(batchSize)[0];
        return IntMath.divide(labelled.size(), labelledPerBatch, RoundingMode.CEILING);
    }

    @Override
    public Iterable<Batch> trainingBatches(
            NDManager manager, int batchSize, long seed, int epoch, Augmentation augmentation) {
        requireNonNull(manager, "manager");
        requireNonNull(augmentation, "augmentation");
        int[] counts = countsPerBatch(batchSize);
        int total = numBatches(batchSize);
        return () -> {
            List<ExtraStream> streams = new ArrayList<>();
            for (int j = 0; j < sources.size(); j++) {
                streams.add(
                        new ExtraStream(
                                sources.get(j).data(),
                                j,
                                manager,
                                counts[j + 1],
                                seed,
                                epoch,
                                augmentation));
            }
            return new Mixer(
                    labelled.trainingBatches(manager, counts[0], seed, epoch, augmentation)
                            .iterator(),
                    streams,
                    manager,
                    counts,
                    total);
        };
    }

    /** The labelled data's: evaluation measures the labelled distribution. */
    @Override
    public Iterable<Batch> evaluationBatches(NDManager manager, int batchSize) {
        return labelled.evaluationBatches(manager, batchSize);
    }

    /** A subset of the labelled data. */
    @Override
    public ClassificationData subset(int size, long seed) {
        return labelled.subset(size, seed);
    }

    @Override
    public String toString() {
        return name();
    }

    /** The mixed batches of one epoch. */
    private final class Mixer implements Iterator<Batch> {
        private final Iterator<Batch> labelledBatches;
        private final List<ExtraStream> extras;
        private final NDManager manager;
        private final int[] counts;
        private final int total;
        private int next;

        Mixer(
                Iterator<Batch> labelledBatches,
                List<ExtraStream> extras,
                NDManager manager,
                int[] counts,
                int total) {
            this.labelledBatches = labelledBatches;
            this.extras = extras;
            this.manager = manager;
            this.counts = counts;
            this.total = total;
        }

        @Override
        public boolean hasNext() {
            boolean more = next < total && labelledBatches.hasNext();
            if (!more) {
                extras.forEach(ExtraStream::close);
            }
            return more;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("no batch after the last of " + total);
            }
            next++;
            NDManager batchManager = manager.newSubManager();
            try (Batch part = labelledBatches.next()) {
                int n = part.getSize();
                NDList xs = new NDList(part.getData().head());
                NDList ys = new NDList(part.getLabels().head());
                int size = n;
                int[] taken = new int[extras.size()];
                for (int j = 0; j < extras.size(); j++) {
                    // the last, smaller labelled batch keeps the ratios
                    int m =
                            n == counts[0]
                                    ? counts[j + 1]
                                    : (int) Math.round((double) n * counts[j + 1] / counts[0]);
                    taken[j] = m;
                    if (m > 0) {
                        NDList more = extras.get(j).take(m, batchManager);
                        xs.add(more.get(0));
                        ys.add(more.get(1));
                    }
                    size += m;
                }
                NDArray x = xs.size() == 1 ? xs.head().duplicate() : NDArrays.concat(xs);
                NDArray y = ys.size() == 1 ? ys.head().duplicate() : NDArrays.concat(ys);
                for (int i = 1; i < xs.size(); i++) {
                    xs.get(i).close();
                    ys.get(i).close();
                }
                x.attach(batchManager);
                y.attach(batchManager);
                x.setName("x");
                y.setName("y");
                NDList labels = new NDList(y);
                if (weighted()) {
                    labels.add(lossWeights(batchManager, n, taken, size));
                }
                return new Batch(
                        batchManager,
                        new NDList(x),
                        labels,
                        size,
                        Batchifier.STACK,
                        Batchifier.STACK,
                        next,
                        total);
            } catch (RuntimeException e) {
                batchManager.close();
                throw e;
            }
        }

        /** The per-example loss weights, float32 {@code (size)}, in the batch's order. */
        private NDArray lossWeights(NDManager owner, int n, int[] taken, int size) {
            float[] weights = new float[size];
            Arrays.fill(weights, 0, n, (float) labelledWeight);
            int at = n;
            for (int j = 0; j < taken.length; j++) {
                Arrays.fill(weights, at, at + taken[j], (float) sources.get(j).lossWeight());
                at += taken[j];
            }
            NDArray array = owner.create(weights);
            array.setName(LOSS_WEIGHTS);
            return array;
        }
    }

    /**
     * The extra examples of one source {@code j} in one epoch: the source's training batches for
     * pass {@code q} of the epoch, seeded by {@code (seed, q)} ({@code (seed, j, q)} for {@code j >
     * 0}) and the epoch, read in order and cut to the counts asked for; a new pass starts when one
     * is used up. A function of {@code (seed, epoch)} only.
     */
    private static final class ExtraStream implements AutoCloseable {
        private final ClassificationData extra;
        private final int index;
        private final NDManager manager;
        private final int batchSize;
        private final long seed;
        private final int epoch;
        private final Augmentation augmentation;
        private int pass = -1;
        private Iterator<Batch> batches;
        private Batch current;
        private int offset;

        ExtraStream(
                ClassificationData extra,
                int index,
                NDManager manager,
                int batchSize,
                long seed,
                int epoch,
                Augmentation augmentation) {
            this.extra = extra;
            this.index = index;
            this.manager = manager;
            this.batchSize = batchSize;
            this.seed = seed;
            this.epoch = epoch;
            this.augmentation = augmentation;
        }

        /** The next {@code m} extra examples, {@code x} and {@code y}, in {@code owner}. */
        NDList take(int m, NDManager owner) {
            List<NDArray> xs = new ArrayList<>();
            List<NDArray> ys = new ArrayList<>();
            int have = 0;
            while (have < m) {
                if (current == null) {
                    current = nextBatch();
                    offset = 0;
                }
                int available = current.getSize() - offset;
                int use = Math.min(available, m - have);
                NDIndex rows = new NDIndex("{}:{}", offset, offset + use);
                NDArray x = current.getData().head().get(rows);
                NDArray y = current.getLabels().head().get(rows);
                x.attach(owner);
                y.attach(owner);
                xs.add(x);
                ys.add(y);
                have += use;
                offset += use;
                if (offset == current.getSize()) {
                    current.close();
                    current = null;
                }
            }
            NDList result = new NDList(concat(xs, owner), concat(ys, owner));
            return result;
        }

        private NDArray concat(List<NDArray> parts, NDManager owner) {
            if (parts.size() == 1) {
                return parts.get(0);
            }
            NDArray joined = NDArrays.concat(new NDList(parts));
            joined.attach(owner);
            parts.forEach(NDArray::close);
            return joined;
        }

        private Batch nextBatch() {
            if (batches == null || !batches.hasNext()) {
                pass++;
                // the first source keeps the single-source derivation, so its batches are unchanged
                SplitMix64 stream =
                        index == 0
                                ? SplitMix64.derive(seed, EXTRA_STREAM, pass)
                                : SplitMix64.derive(seed, EXTRA_STREAM, index, pass);
                long passSeed = stream.nextLong();
                batches =
                        extra.trainingBatches(manager, batchSize, passSeed, epoch, augmentation)
                                .iterator();
            }
            return batches.next();
        }

        @Override
        public void close() {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
