package dev.awp.djl.perturbation;

import ai.djl.ndarray.NDArray;
import dev.awp.djl.internal.Guards;
import dev.awp.training.NonFiniteValueException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The updates of one {@link AwpOptimizer#step verified step}: each parameter's value before its
 * update is kept in the parameter's own gradient array, which the optimizer has consumed (DJL hands
 * the optimizer a copy of the gradient, and its kernels zero the live one), so the step adds no
 * memory that lives longer than one parameter's update. After the step, one sum per weight and one
 * host read prove every updated weight finite; then the gradient arrays are zeroed, as DJL's
 * kernels leave them. Otherwise every updated weight gets its value before the step back — bit for
 * bit, or {@code (w + v) − v} for a perturbed tensor, the reference's restore — before the step
 * throws.
 */
final class UpdateStage {

    /** One updated parameter: its live weight, the stash holding its value before the update. */
    private record Staged(String id, NDArray weight, NDArray stash, NDArray v) {}

    /** Outside a verified step: updates run as they are, nothing is kept. */
    static final UpdateStage DIRECT = new UpdateStage(Map.of(), false);

    private final Map<String, String> names;
    private final boolean verifies;
    private final List<Staged> staged = new ArrayList<>();

    private UpdateStage(Map<String, String> names, boolean verifies) {
        this.names = names;
        this.verifies = verifies;
    }

    /**
     * A stage for one verified step.
     *
     * @param names the parameters' names in the block, by id, for error messages
     */
    static UpdateStage verifying(Map<String, String> names) {
        return new UpdateStage(names, true);
    }

    /**
     * Runs one parameter's update, keeping the weight's value before it in the weight's gradient
     * array.
     *
     * @param id the parameter's id
     * @param weight the live weight
     * @param v the perturbation the weight holds before the update, or {@code null}
     * @param update the update (and restore) of the weight
     */
    void update(String id, NDArray weight, NDArray v, Runnable update) {
        if (!verifies) {
            update.run();
            return;
        }
        NDArray before = weight.duplicate();
        try {
            update.run();
            NDArray stash = weight.getGradient();
            Guards.copy(stash, before);
            staged.add(new Staged(id, weight, stash, v));
        } finally {
            before.close();
        }
    }

    /** The number of parameters the step updated through this stage. */
    int updates() {
        return staged.size();
    }

    /**
     * Keeps the updates if every updated weight is finite (one host read); otherwise puts every
     * updated weight back and throws.
     *
     * @throws NonFiniteValueException naming the first non-finite weight, {@code "update of
     *     <parameter>"}
     */
    void commit() {
        List<NDArray> weights = new ArrayList<>(staged.size());
        for (Staged s : staged) {
            weights.add(s.weight());
        }
        int bad = Guards.firstNonFinite(weights);
        if (bad < 0) {
            release();
            return;
        }
        String quantity = "update of " + names.getOrDefault(staged.get(bad).id(), "parameter");
        for (Staged s : staged) {
            Guards.copy(s.weight(), s.stash());
            if (s.v() != null) {
                s.weight().subi(s.v());
            }
        }
        release();
        throw new NonFiniteValueException(
                quantity,
                quantity
                        + " must be finite but the optimizer step produced NaN or infinity from"
                        + " finite gradients; every weight was put back to its value before the"
                        + " step. Training diverged: lower the learning rate (it is NaN, or so"
                        + " large that the update overflows); the optimizer's state (momentum,"
                        + " moments) may hold non-finite values now: create a new optimizer");
    }

    /** Zeroes every stash (the gradients the next backward accumulates into) and frees them. */
    void release() {
        for (Staged s : staged) {
            try (NDArray stash = s.stash()) {
                Guards.zero(stash);
            }
        }
        staged.clear();
    }
}
