package dev.awp.djl.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.awp.djl.internal.Guards;
import dev.awp.training.AveragingKind;
import dev.awp.training.WeightAveraging;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link WeightAveraging} of a run at work: an average {@code a} of every trainable parameter,
 * updated after each optimizer step from the weights the step left ({@code a ← κ·a + (1 − κ)·w}, in
 * float32, {@code κ} rounded to float32 and {@code 1 − κ} computed in double then rounded), and
 * swapped into the block while the run evaluates, writes the model's checkpoint entry, or ends.
 * BatchNorm running statistics are never averaged. With EMA, and with SWA before its start epoch
 * (when the average is the weights themselves), the swapped-in model uses the raw model's. With SWA
 * from its start epoch on, they are recomputed for the averaged weights by the {@link
 * StatisticsPass} (one pass over the training batches, {@link BatchNormStatistics}) each time the
 * average is swapped in, and put back to the raw model's after, bit for bit; {@link #export} keeps
 * the recomputed ones. A run without averaging gets {@link #NONE}, which keeps nothing and runs
 * every action on the raw weights.
 *
 * <p>The position in the run decides {@code κ}, so that the average needs no state beyond its
 * arrays: a checkpoint holds them as its model entry, and a rollback puts back the copy {@link
 * #keepGood} took.
 */
abstract class AveragedWeights implements AutoCloseable {

    /** Something done with the averaged weights in the block, such as writing them. */
    interface Action<T> {
        T run() throws IOException;
    }

    /** Recomputes the BatchNorm statistics of the block's current weights, for an epoch's data. */
    interface StatisticsPass {
        void run(int epoch);
    }

    /** No averaging: nothing kept, every action on the raw weights. */
    static final AveragedWeights NONE = new None();

    private AveragedWeights() {}

    /**
     * The averaging of a run over {@code block}'s trainable parameters, its arrays in a sub-manager
     * of {@code manager}; {@link #NONE} if {@code averaging} is not active.
     */
    static AveragedWeights of(WeightAveraging averaging, Block block, NDManager manager) {
        return averaging.isActive() ? new Kept(averaging, block, manager) : NONE;
    }

    /** Whether there is an average. */
    abstract boolean isActive();

    /**
     * Sets how SWA recomputes the BatchNorm statistics of the averaged weights; without it they are
     * the raw model's.
     */
    void recomputeStatisticsWith(StatisticsPass pass) {}

    /** Starts the average at the block's current trainable weights, and keeps it as good. */
    abstract void start();

    /** Updates the average after the step {@code iteration} of {@code epoch}. */
    abstract void afterStep(int epoch, int iteration, int batchesPerEpoch);

    /**
     * Runs {@code action} with the averaged weights in the block, then puts the raw weights back,
     * bit for bit, also when it throws.
     */
    abstract <T> T withAveraged(Action<T> action) throws IOException;

    /** Copies the averaged weights into the block for good: the model the user gets. */
    abstract void export();

    /** Keeps a copy of the average as the good one. */
    abstract void keepGood();

    /** Puts the good copy back. */
    abstract void rollBack();

    @Override
    public abstract void close();

    /** {@link #withAveraged} for actions without checked exceptions. */
    final <T> T measure(java.util.function.Supplier<T> action) {
        try {
            return withAveraged(action::get);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final class None extends AveragedWeights {
        @Override
        boolean isActive() {
            return false;
        }

        @Override
        void start() {}

        @Override
        void afterStep(int epoch, int iteration, int batchesPerEpoch) {}

        @Override
        <T> T withAveraged(Action<T> action) throws IOException {
            return action.run();
        }

        @Override
        void export() {}

        @Override
        void keepGood() {}

        @Override
        void rollBack() {}

        @Override
        public void close() {}
    }

    private static final class Kept extends AveragedWeights {
        private final WeightAveraging averaging;
        private final Block block;
        private final NDManager manager;
        private final List<String> names = new ArrayList<>();
        private final List<NDArray> average = new ArrayList<>();
        private final List<NDArray> good = new ArrayList<>();
        private StatisticsPass statistics;
        private int lastEpoch = -1;

        Kept(WeightAveraging averaging, Block block, NDManager manager) {
            this.averaging = averaging;
            this.block = block;
            this.manager = manager.newSubManager();
        }

        @Override
        boolean isActive() {
            return true;
        }

        @Override
        void start() {
            names.clear();
            replace(average, live());
            for (Pair<String, Parameter> pair : block.getParameters()) {
                if (trainable(pair.getValue())) {
                    names.add(pair.getKey());
                }
            }
            keepGood();
        }

        @Override
        void recomputeStatisticsWith(StatisticsPass pass) {
            this.statistics = pass;
        }

        /**
         * Whether the swapped-in average needs its own BatchNorm statistics: SWA, once a step of
         * its start epoch or later has been averaged.
         */
        private boolean recomputes() {
            return statistics != null
                    && averaging.kind() == AveragingKind.SWA
                    && lastEpoch >= averaging.startEpoch();
        }

        @Override
        void afterStep(int epoch, int iteration, int batchesPerEpoch) {
            lastEpoch = epoch;
            double kappa = averaging.keep(epoch, iteration, batchesPerEpoch);
            float keep = (float) kappa;
            float take = (float) (1 - kappa);
            List<NDArray> weights = live();
            for (int i = 0; i < weights.size(); i++) {
                try (NDArray w = weights.get(i).stopGradient();
                        NDArray share = w.mul(take)) {
                    average.get(i).muli(keep).addi(share);
                }
            }
        }

        @Override
        <T> T withAveraged(Action<T> action) throws IOException {
            List<NDArray> weights = live();
            boolean recompute = recomputes();
            List<NDArray> buffers = recompute ? statisticsArrays() : List.of();
            try (NDManager scope = manager.newSubManager()) {
                List<NDArray> raw = copies(weights, scope);
                List<NDArray> rawBuffers = copies(buffers, scope);
                try {
                    copyInto(weights, average);
                    if (recompute) {
                        statistics.run(lastEpoch);
                    }
                    return action.run();
                } finally {
                    copyInto(weights, raw);
                    copyInto(buffers, rawBuffers);
                }
            }
        }

        @Override
        void export() {
            copyInto(live(), average);
            if (recomputes()) {
                statistics.run(lastEpoch);
            }
        }

        /** The block's arrays that are neither trainable nor averaged: BatchNorm statistics. */
        private List<NDArray> statisticsArrays() {
            List<NDArray> arrays = new ArrayList<>();
            for (Pair<String, Parameter> pair : block.getParameters()) {
                Parameter p = pair.getValue();
                if (!trainable(p) && p.isInitialized()) {
                    arrays.add(p.getArray());
                }
            }
            return arrays;
        }

        @Override
        void keepGood() {
            replace(good, average);
        }

        @Override
        void rollBack() {
            copyInto(average, good);
        }

        @Override
        public void close() {
            manager.close();
            average.clear();
            good.clear();
        }

        /** The block's live trainable arrays, in the block's order. */
        private List<NDArray> live() {
            List<NDArray> arrays = new ArrayList<>();
            for (Pair<String, Parameter> pair : block.getParameters()) {
                if (trainable(pair.getValue())) {
                    arrays.add(pair.getValue().getArray());
                }
            }
            if (!names.isEmpty() && arrays.size() != names.size()) {
                throw new IllegalStateException(
                        "the block's trainable parameters changed during the run: "
                                + names.size()
                                + " averaged but "
                                + arrays.size()
                                + " now");
            }
            return arrays;
        }

        private static boolean trainable(Parameter parameter) {
            return parameter.requiresGradient() && parameter.isInitialized();
        }

        /** Replaces the arrays of {@code target} with detached copies of {@code source}. */
        private void replace(List<NDArray> target, List<NDArray> source) {
            List<NDArray> fresh = copies(source, manager);
            target.forEach(NDArray::close);
            target.clear();
            target.addAll(fresh);
        }

        private static List<NDArray> copies(List<NDArray> source, NDManager owner) {
            List<NDArray> copies = new ArrayList<>(source.size());
            for (NDArray array : source) {
                try (NDArray detached = array.stopGradient()) {
                    NDArray copy = detached.duplicate();
                    copy.attach(owner);
                    copies.add(copy);
                }
            }
            return copies;
        }

        private static void copyInto(List<NDArray> targets, List<NDArray> sources) {
            for (int i = 0; i < targets.size(); i++) {
                Guards.copy(targets.get(i), sources.get(i));
            }
        }
    }
}
