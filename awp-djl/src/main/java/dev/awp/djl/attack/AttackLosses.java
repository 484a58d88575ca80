package dev.awp.djl.attack;

import ai.djl.ndarray.NDArray;
import dev.awp.attack.AttackLoss;
import dev.awp.djl.objective.Losses;

/** Maps an attack loss specification to its per-example values in {@link Losses}. */
final class AttackLosses {

    private AttackLosses() {}

    /**
     * The per-example value of an attack loss, larger meaning more adversarial: cross-entropy, the
     * CW margin {@code min(max_{j≠y} z_j − z_y, κ)}, or {@code KL(p ‖ q)} to the clean prediction.
     *
     * @param loss the specification
     * @param logits the adversarial logits, shape {@code (B, C)}
     * @param labels the labels
     * @param cleanLogits the clean logits, without gradient; required for {@link
     *     AttackLoss.Kind#KL_TO_CLEAN}, ignored otherwise
     * @return the losses, shape {@code (B)}, attached to the first logits' manager
     */
    static NDArray of(AttackLoss loss, NDArray logits, NDArray labels, NDArray cleanLogits) {
        switch (loss.kind()) {
            case CROSS_ENTROPY:
                return Losses.perExampleCrossEntropy(logits, labels);
            case CW_MARGIN:
                return Losses.perExampleCwMargin(logits, labels, loss.kappa());
            case KL_TO_CLEAN:
                return Losses.perExampleKlDivergence(cleanLogits, logits);
            default:
                throw new AssertionError(loss.kind());
        }
    }
}
