package dev.awp.djl.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.awp.djl.internal.Guards;
import dev.awp.training.NonFiniteValueException;

/**
 * A copy of every trainable weight taken before a step, so that a step that fails after the
 * optimizer ran can put every weight back, bit for bit. Taken for every step of an optimizer that
 * is not an {@code AwpOptimizer} (whose update cannot be checked before it is applied), and for the
 * first step of an {@code AwpOptimizer} with a trainer (which proves it is the trainer's
 * optimizer); {@link #NONE} otherwise.
 */
final class WeightSnapshot {

    /** No copy: nothing to put back, nothing to check. */
    static final WeightSnapshot NONE = new WeightSnapshot(null, new NDList());

    private final TrainableWeights weights;
    private final NDList copies;

    private WeightSnapshot(TrainableWeights weights, NDList copies) {
        this.weights = weights;
        this.copies = copies;
    }

    /** Copies every weight; the copies are owned by {@code scope}. */
    static WeightSnapshot take(TrainableWeights weights, NDManager scope) {
        NDList copies = new NDList(weights.size());
        for (NDArray weight : weights.arrays()) {
            copies.add(weight.duplicate());
        }
        copies.attach(scope);
        return new WeightSnapshot(weights, copies);
    }

    /** Copies every weight's value before the step back into the live weight. */
    void putBack() {
        for (int i = 0; i < copies.size(); i++) {
            Guards.copy(weights.arrays().get(i), copies.get(i));
        }
    }

    /**
     * The updated weights must be finite (a NaN learning rate, or an update that overflows, makes
     * them non-finite although the gradients were finite): one sum per weight, one host read.
     * Otherwise every trainable weight is put back to its value before the step, bit for bit.
     */
    void checkFiniteUpdate() {
        if (weights == null) {
            return;
        }
        int bad = Guards.firstNonFinite(weights.arrays());
        if (bad < 0) {
            return;
        }
        putBack();
        String quantity = "update of " + weights.name(bad);
        throw new NonFiniteValueException(
                quantity,
                quantity
                        + " must be finite but the optimizer step produced NaN or infinity from"
                        + " finite gradients; every weight was put back to its value before the"
                        + " step. Training diverged: lower the learning rate (it is NaN, or so"
                        + " large that the update overflows); the optimizer's state (momentum,"
                        + " moments) may hold non-finite values now: create a new optimizer");
    }
}
