package dev.awp.djl.perturbation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.awp.djl.internal.WeightLeaves;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The parameter store of the AWP pass. It serves
 *
 * <ul>
 *   <li>scratch copies of the BatchNorm running statistics, so a training-mode forward through it
 *       leaves the model's running statistics exactly as they were (only these small arrays are
 *       copied, never the model);
 *   <li>for each perturbed weight, a detached leaf that shares the weight's storage (no copy) and
 *       requires a gradient, so the pass's backward writes its gradient into a fresh array of the
 *       leaf's own, as PyTorch does for a gradient that does not exist yet, instead of adding it
 *       into the model's gradient array, which would then have to be zeroed again: {@link
 *       #leafGradient(String)} gives it back;
 *   <li>every other parameter as it is.
 * </ul>
 *
 * <p>A block that reads a perturbed weight without the store (its own {@code parameter.getArray()})
 * gets no leaf; its gradient lands in the weight's gradient array as before, and {@link ExactPass}
 * reads and zeroes it there.
 */
final class PassStore extends ParameterStore implements AutoCloseable {

    private final NDManager scratch;
    private final WeightLeaves leaves;
    private final Map<String, NDArray> copies = new HashMap<>();

    PassStore(NDManager parent, Set<String> perturbed) {
        super(parent, false);
        this.scratch = parent.newSubManager();
        this.leaves = new WeightLeaves(perturbed);
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null;
        }
        NDArray live = parameter.getArray();
        if (!live.getDevice().equals(device)) {
            throw new IllegalStateException(
                    "AWP supports models on one device; parameter "
                            + parameter.getName()
                            + " is on "
                            + live.getDevice()
                            + " but the input is on "
                            + device);
        }
        if (leaves.covers(parameter)) {
            return leaves.leaf(parameter);
        }
        Parameter.Type type = parameter.getType();
        if (type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR) {
            return live;
        }
        return copies.computeIfAbsent(
                parameter.getId(),
                k -> {
                    NDArray copy = live.duplicate();
                    copy.attach(scratch);
                    return copy;
                });
    }

    /**
     * The gradient the pass left in a perturbed weight's leaf, taken over by the caller.
     *
     * @param id the weight's parameter id
     * @return the leaf's gradient, or null if the forward did not read the weight through this
     *     store
     */
    NDArray leafGradient(String id) {
        return leaves.takeGradient(id);
    }

    /** Frees the leaves (and their gradients) of one ascent step; the next step makes new ones. */
    void releaseLeaves() {
        leaves.release();
    }

    @Override
    public void close() {
        leaves.close();
        scratch.close();
    }
}
