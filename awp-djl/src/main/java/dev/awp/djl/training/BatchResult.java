package dev.awp.djl.training;

/**
 * What one adversarial training step measured.
 *
 * @param loss the objective's value on the batch (at {@code w + v} when AWP was active)
 * @param adversarialCorrect how many adversarial examples the model classified correctly in the
 *     training forward pass
 * @param size the batch size
 * @param perturbed whether AWP perturbed the weights for this step
 */
public record BatchResult(double loss, long adversarialCorrect, long size, boolean perturbed) {

    /**
     * The fraction of adversarial examples classified correctly.
     *
     * @return the accuracy in [0, 1]
     */
    public double adversarialAccuracy() {
        return size == 0 ? 0 : (double) adversarialCorrect / size;
    }
}
