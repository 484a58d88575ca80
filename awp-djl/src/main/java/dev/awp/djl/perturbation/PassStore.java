package dev.awp.djl.perturbation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
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
    private final Set<String> perturbed;
    private final Map<String, NDArray> copies = new HashMap<>();
    private final Map<String, NDArray> leaves = new HashMap<>();
    private NDManager leafScope;

    PassStore(NDManager parent, Set<String> perturbed) {
        super(parent, false);
        this.scratch = parent.newSubManager();
        this.perturbed = perturbed;
        this.leafScope = scratch.newSubManager();
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
        String id = parameter.getId();
        if (perturbed.contains(id)) {
            return leaves.computeIfAbsent(
                    id,
                    k -> {
                        NDArray leaf = live.stopGradient();
                        leaf.attach(leafScope);
                        leaf.setRequiresGradient(true);
                        return leaf;
                    });
        }
        Parameter.Type type = parameter.getType();
        if (type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR) {
            return live;
        }
        return copies.computeIfAbsent(
                id,
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
        NDArray leaf = leaves.get(id);
        return leaf == null ? null : leaf.getGradient();
    }

    /** Frees the leaves (and their gradients) of one ascent step; the next step makes new ones. */
    void releaseLeaves() {
        leaves.clear();
        leafScope.close();
        leafScope = scratch.newSubManager();
    }

    @Override
    public void close() {
        scratch.close();
    }
}
