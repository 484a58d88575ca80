package dev.awp.djl.training;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.optimizer.Optimizer;

/**
 * An optimizer whose state (momentum buffers or moments, and per-parameter step counts) can be
 * written to a checkpoint and put back, so that a resumed run continues exactly where it stopped.
 *
 * <p>The state is keyed by parameter <em>name</em> (the path in the block), never by parameter id:
 * DJL's ids are random UUIDs, different in every process. Step counts travel as one-element {@code
 * int64} arrays named {@code <parameter>/step}.
 */
interface ResumableOptimizer {

    /**
     * The optimizer state of the block's parameters, as copies owned by {@code manager}; parameters
     * not updated yet have none, so the list is empty before the first step.
     *
     * @param block the block whose parameters this optimizer updates
     * @param manager the manager that owns the returned arrays
     * @return the named state arrays
     */
    NDList saveState(Block block, NDManager manager);

    /**
     * Replaces the whole optimizer state with copies of {@code state}, matched by parameter name.
     * The copies are owned by the weights' managers and share no memory with {@code state}, which
     * may be closed right after; an empty list resets the optimizer to its initial state.
     *
     * @param block the block whose parameters this optimizer updates
     * @param state arrays written by {@link #saveState}, possibly decoded in another process
     * @throws IllegalArgumentException if an array names no parameter of the block or has the wrong
     *     shape
     */
    void loadState(Block block, NDList state);

    /**
     * What a checkpoint stores for {@code optimizer}: its state if it is resumable and has any,
     * otherwise null (no entry). An empty list is never returned: DJL cannot decode an encoded
     * empty {@code NDList}.
     *
     * @param optimizer the optimizer of the run
     * @param block the block it updates
     * @param manager the manager that owns the returned arrays
     * @return the state, or null if there is nothing to save
     */
    static NDList checkpointState(Optimizer optimizer, Block block, NDManager manager) {
        if (!(optimizer instanceof ResumableOptimizer)) {
            return null;
        }
        NDList state = ((ResumableOptimizer) optimizer).saveState(block, manager);
        return state.isEmpty() ? null : state;
    }
}
