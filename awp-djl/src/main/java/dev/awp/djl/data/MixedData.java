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
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Labelled data and an extra source mixed in every training batch at a fixed fraction; see {@link
 * ClassificationData#mixed}.
 */
final class MixedData implements ClassificationData {

    private static final long EXTRA_STREAM = 0x6578747261L;

    private final ClassificationData labelled;
    private final ClassificationData extra;
    private final double fraction;

    MixedData(ClassificationData labelled, ClassificationData extra, double fraction) {
        this.labelled = requireNonNull(labelled, "labelled");
        this.extra = requireNonNull(extra, "extra");
        checkArgument(
                fraction > 0 && fraction < 1,
                "extraFraction must be in (0, 1) but was %s",
                fraction);
        checkArgument(
                extra.inputShape().equals(labelled.inputShape()),
                "extra.inputShape must be the labelled data's (%s) but was %s",
                labelled.inputShape(),
                extra.inputShape());
        checkArgument(
                extra.numClasses() == labelled.numClasses(),
                "extra.numClasses must be the labelled data's (%s) but was %s",
                labelled.numClasses(),
                extra.numClasses());
        this.fraction = fraction;
    }

    /** The extra examples of a full batch: {@code round(fraction · batchSize)}. */
    int extraPerBatch(int batchSize) {
        checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
        int extraCount = (int) Math.round(fraction * batchSize);
        checkArgument(
                extraCount >= 1 && extraCount < batchSize,
                "round(extraFraction · batchSize) must be in [1, batchSize - 1] but was %s"
                        + " (extraFraction %s, batchSize %s): use a larger batch",
                extraCount,
                fraction,
                batchSize);
        return extraCount;
    }

    @Override
    public String name() {
        return String.format(
                Locale.ROOT,
                "%s + %s of each batch from %s",
                labelled.name(),
                fraction,
                extra.name());
    }

    /** The labelled examples and the extra ones. */
    @Override
    public int size() {
        return labelled.size() + extra.size();
    }

    @Override
    public int numClasses() {
        return labelled.numClasses();
    }

    @Override
    public Shape inputShape() {
        return labelled.inputShape();
    }

    /** One pass over the labelled data: {@code ceil(labelled.size / (batchSize − extra))}. */
    @Override
    public int numBatches(int batchSize) {
        int labelledPerBatch = batchSize - extraPerBatch(batchSize);
        return IntMath.divide(labelled.size(), labelledPerBatch, RoundingMode.CEILING);
    }

    @Override
    public Iterable<Batch> trainingBatches(
            NDManager manager, int batchSize, long seed, int epoch, Augmentation augmentation) {
        requireNonNull(manager, "manager");
        requireNonNull(augmentation, "augmentation");
        int extraCount = extraPerBatch(batchSize);
        int labelledCount = batchSize - extraCount;
        int total = numBatches(batchSize);
        return () ->
                new Mixer(
                        labelled.trainingBatches(manager, labelledCount, seed, epoch, augmentation)
                                .iterator(),
                        new ExtraStream(manager, extraCount, seed, epoch, augmentation),
                        manager,
                        labelledCount,
                        extraCount,
                        total);
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
    private static final class Mixer implements Iterator<Batch> {
        private final Iterator<Batch> labelledBatches;
        private final ExtraStream extras;
        private final NDManager manager;
        private final int labelledCount;
        private final int extraCount;
        private final int total;
        private int next;

        Mixer(
                Iterator<Batch> labelledBatches,
                ExtraStream extras,
                NDManager manager,
                int labelledCount,
                int extraCount,
                int total) {
            this.labelledBatches = labelledBatches;
            this.extras = extras;
            this.manager = manager;
            this.labelledCount = labelledCount;
            this.extraCount = extraCount;
            this.total = total;
        }

        @Override
        public boolean hasNext() {
            boolean more = next < total && labelledBatches.hasNext();
            if (!more) {
                extras.close();
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
                // the last, smaller labelled batch keeps the ratio
                int m =
                        n == labelledCount
                                ? extraCount
                                : (int) Math.round((double) n * extraCount / labelledCount);
                NDArray x = part.getData().head();
                NDArray y = part.getLabels().head();
                if (m > 0) {
                    NDList more = extras.take(m, batchManager);
                    x = NDArrays.concat(new NDList(x, more.get(0)));
                    y = NDArrays.concat(new NDList(y, more.get(1)));
                    more.close();
                } else {
                    x = x.duplicate();
                    y = y.duplicate();
                }
                x.attach(batchManager);
                y.attach(batchManager);
                x.setName("x");
                y.setName("y");
                return new Batch(
                        batchManager,
                        new NDList(x),
                        new NDList(y),
                        n + m,
                        Batchifier.STACK,
                        Batchifier.STACK,
                        next,
                        total);
            } catch (RuntimeException e) {
                batchManager.close();
                throw e;
            }
        }
    }

    /**
     * The extra examples of one epoch: the extra source's training batches for pass {@code q} of
     * the epoch, seeded by {@code (seed, q)} and the epoch, read in order and cut to the counts
     * asked for; a new pass starts when one is used up. A function of {@code (seed, epoch)} only.
     */
    private final class ExtraStream implements AutoCloseable {
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
                NDManager manager, int batchSize, long seed, int epoch, Augmentation augmentation) {
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
                long passSeed = SplitMix64.derive(seed, EXTRA_STREAM, pass).nextLong();
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
