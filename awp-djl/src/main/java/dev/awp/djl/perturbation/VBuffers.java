package dev.awp.djl.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code v} buffers of one {@link AwpOptimizer}, one per perturbed parameter, owned by the
 * weight's manager (closed with the model). Between steps a buffer is the weight's shape holding no
 * memory of its own ({@link PerturbedTensor#emptyLike}); a pass gives it a {@code v}, and {@link
 * #release()} frees that storage once no one reads it, so that the gradients the next {@code v} is
 * made of never coexist with the last one: AT-AWP's extra memory stays one {@code v}, not two.
 */
final class VBuffers {

    private final Map<String, NDArray> buffers = new HashMap<>();
    private boolean held;

    /** The buffer of {@code parameter}, created on first use; marks the buffers as holding a v. */
    NDArray of(Parameter parameter) {
        held = true;
        return buffers.computeIfAbsent(
                parameter.getId(), id -> PerturbedTensor.emptyLike(parameter.getArray()));
    }

    /**
     * Frees the storage of every buffer's {@code v}; the caller makes sure that none is applied or
     * still read (the verified step's rollback reads it until the step is committed).
     */
    void release() {
        if (!held) {
            return;
        }
        for (NDArray v : buffers.values()) {
            PerturbedTensor.release(v);
        }
        held = false;
    }
}
