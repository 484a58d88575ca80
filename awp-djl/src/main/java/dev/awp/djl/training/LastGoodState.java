package dev.awp.djl.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.awp.djl.internal.Guards;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The state a run rolls back to when it diverges or collapses: copies of every parameter (weights
 * and BatchNorm statistics), the optimizer's state, and the run's position, taken at the start and
 * after every epoch that passed the checks. The copies live on the parameters' device, in a manager
 * of their own; one copy of the model and of the optimizer state in memory.
 */
final class LastGoodState implements AutoCloseable {

    private final Block block;
    private final NDManager manager;
    private final Function<NDManager, NDList> saveOptimizer;
    private final Consumer<NDList> loadOptimizer;
    private final List<NDArray> parameters = new ArrayList<>();
    private NDManager current;
    private NDList optimizerState;
    private int nextEpoch;
    private int historySize;
    private Optional<Integer> bestEpoch = Optional.empty();
    private Optional<Accuracy> bestRobust = Optional.empty();

    /**
     * An empty holder; call {@link #take} before {@link #restore}.
     *
     * @param block the model's block
     * @param manager the parent of the copies' managers (the trainer's)
     * @param saveOptimizer writes the optimizer's state into a manager, null if it has none
     * @param loadOptimizer puts a saved state back (called with null when there was none)
     */
    LastGoodState(
            Block block,
            NDManager manager,
            Function<NDManager, NDList> saveOptimizer,
            Consumer<NDList> loadOptimizer) {
        this.block = block;
        this.manager = manager;
        this.saveOptimizer = saveOptimizer;
        this.loadOptimizer = loadOptimizer;
    }

    /** Copies the current state, replacing the previous copy. */
    void take(
            int nextEpoch,
            List<EpochMetrics> history,
            Optional<Integer> bestEpoch,
            Optional<Accuracy> bestRobust) {
        NDManager fresh = manager.newSubManager();
        try {
            List<NDArray> copies = new ArrayList<>();
            for (Parameter parameter : block.getParameters().values()) {
                NDArray copy = parameter.getArray().duplicate();
                copy.attach(fresh);
                copies.add(copy);
            }
            NDList state = saveOptimizer.apply(fresh);
            closeCurrent();
            current = fresh;
            parameters.clear();
            parameters.addAll(copies);
            optimizerState = state;
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
        this.nextEpoch = nextEpoch;
        this.historySize = history.size();
        this.bestEpoch = bestEpoch;
        this.bestRobust = bestRobust;
    }

    /**
     * Puts the copied parameters (bit for bit, in place, so the trainer's arrays stay the same
     * objects) and optimizer state back, and zeroes every gradient.
     */
    void restore() {
        int i = 0;
        for (Parameter parameter : block.getParameters().values()) {
            NDArray live = parameter.getArray();
            // in place, bit for bit (never NDArray.copyTo: on PyTorch it re-points the tensor at a
            // Java buffer)
            Guards.copy(live, parameters.get(i++));
            if (live.hasGradient()) {
                try (NDArray gradient = live.getGradient()) {
                    Guards.zero(gradient); // overwrites NaN too, which subtraction would keep
                }
            }
        }
        loadOptimizer.accept(optimizerState);
    }

    /** The epoch the good state continues with. */
    int nextEpoch() {
        return nextEpoch;
    }

    /** How many epochs of the history belong to the good state. */
    int historySize() {
        return historySize;
    }

    /** The best epoch as of the good state. */
    Optional<Integer> bestEpoch() {
        return bestEpoch;
    }

    /** The best robust accuracy as of the good state. */
    Optional<Accuracy> bestRobust() {
        return bestRobust;
    }

    /** Whether every parameter of the block is finite; one reduction per parameter, one read. */
    static boolean allFinite(Block block) {
        List<NDArray> arrays = new ArrayList<>();
        for (Parameter parameter : block.getParameters().values()) {
            if (parameter.isInitialized()) {
                arrays.add(parameter.getArray());
            }
        }
        return Guards.firstNonFinite(arrays) < 0;
    }

    private void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    @Override
    public void close() {
        closeCurrent();
        parameters.clear();
        optimizerState = null;
    }
}
