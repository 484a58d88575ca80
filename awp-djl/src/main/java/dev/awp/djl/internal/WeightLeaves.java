package dev.awp.djl.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Detached leaves of chosen weights, for a pass that needs those weights' gradients but must not
 * touch the model's gradient arrays. A leaf shares its weight's storage (no copy) and requires a
 * gradient, so a backward through it writes a fresh gradient array of the leaf's own — PyTorch
 * assigns the first gradient of a tensor instead of adding it to a zeroed one — and the model's
 * gradient arrays are neither added to nor have to be zeroed again afterwards. A parameter store
 * serves {@link #leaf(Parameter)} in place of the weight; the caller then {@link #takeGradient
 * takes} each gradient and {@link #release() releases} the leaves.
 *
 * <p>Internal to awp; not part of the API.
 */
public final class WeightLeaves implements AutoCloseable {

    private final Set<String> ids;
    private final Map<String, NDArray> leaves = new HashMap<>();
    private NDManager scope;

    /**
     * Leaves for the parameters with these ids.
     *
     * @param ids the parameter ids
     */
    public WeightLeaves(Set<String> ids) {
        this.ids = Set.copyOf(ids);
    }

    /**
     * Whether the parameter is one of the chosen weights.
     *
     * @param parameter the parameter
     * @return true if {@link #leaf(Parameter)} serves a leaf for it
     */
    public boolean covers(Parameter parameter) {
        return ids.contains(parameter.getId());
    }

    /**
     * The parameter's leaf, made on first use since the last {@link #release()}.
     *
     * @param parameter a parameter that {@link #covers(Parameter)}
     * @return the leaf, sharing the weight's storage
     */
    public NDArray leaf(Parameter parameter) {
        return leaves.computeIfAbsent(
                parameter.getId(),
                id -> {
                    NDArray live = parameter.getArray();
                    if (scope == null) {
                        scope = live.getManager().newSubManager();
                    }
                    NDArray leaf = live.stopGradient();
                    leaf.attach(scope);
                    leaf.setRequiresGradient(true);
                    return leaf;
                });
    }

    /**
     * The gradient a backward left in a weight's leaf; it belongs to the leaves' scope until {@link
     * #release()}: attach it to a manager of the caller's to keep it.
     *
     * @param id the parameter id
     * @return the gradient (zeros if no backward reached the leaf), or null if no leaf was served
     *     for the weight
     */
    public NDArray takeGradient(String id) {
        NDArray leaf = leaves.get(id);
        return leaf == null ? null : leaf.getGradient();
    }

    /**
     * Frees the leaves and their gradients (not the gradients taken); the next pass makes new ones.
     */
    public void release() {
        leaves.clear();
        if (scope != null) {
            scope.close();
            scope = null;
        }
    }

    @Override
    public void close() {
        release();
    }
}
