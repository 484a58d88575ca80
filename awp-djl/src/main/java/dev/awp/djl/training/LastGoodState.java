package dev.awp.djl.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.awp.djl.internal.Guards;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The state a run rolls back to when it diverges or collapses: copies of every parameter (weights
 * and BatchNorm statistics), the optimizer's state, and the run's {@link RunState}, taken at the
 * start and after every epoch that passed the checks. The copies live on the parameters' device, in
 * a manager of their own; one copy of the model and of the optimizer state in memory.
 */
final class LastGoodState implements AutoCloseable {

    private final Block block;
    private final NDManager manager;
    private final Function<NDManager, NDList> saveOptimizer;
    private final Consumer<NDList> loadOptimizer;
    private final List<NDArray> parameters = new ArrayList<>();
    private NDManager current;
    private NDList optimizerState;
    private RunState state;

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

    /** Copies the current parameters and optimizer state, and keeps {@code state} with them. */
    void take(RunState state) {
        NDManager fresh = manager.newSubManager();
        try {
            List<NDArray> copies = new ArrayList<>();
            for (Parameter parameter : block.getParameters().values()) {
                NDArray copy = parameter.getArray().duplicate();
                copy.attach(fresh);
                copies.add(copy);
            }
            NDList saved = saveOptimizer.apply(fresh);
            closeCurrent();
            current = fresh;
            parameters.clear();
            parameters.addAll(copies);
            optimizerState = saved;
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
        this.state = state;
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

    /** The run's state as of the copy. */
    RunState state() {
        return state;
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
