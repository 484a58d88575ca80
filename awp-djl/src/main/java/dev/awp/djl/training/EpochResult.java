package dev.awp.djl.training;

import java.util.Locale;

/**
 * What one epoch of {@link AwpEasyTrain#fit} measured.
 *
 * @param epoch the 0-based epoch (counted on from the {@code AwpOptimizer}'s epoch at the call)
 * @param trainLoss the objective's mean value over the training examples
 * @param trainAdversarialCorrect how many training adversarial examples the training forwards
 *     classified correctly
 * @param trainSize the number of training examples
 * @param perturbedBatches how many batches AWP perturbed (0 during the warm-up or without AWP)
 * @param validation clean and adversarial accuracy on the validation data after the epoch, or
 *     {@code null} without validation data
 */
public record EpochResult(
        int epoch,
        double trainLoss,
        long trainAdversarialCorrect,
        long trainSize,
        long perturbedBatches,
        ValidationResult validation) {

    /**
     * The fraction of training adversarial examples classified correctly during the epoch.
     *
     * @return the accuracy in [0, 1]; 0 for no examples
     */
    public double trainAdversarialAccuracy() {
        return trainSize == 0 ? 0 : (double) trainAdversarialCorrect / trainSize;
    }

    /**
     * One line for logs, e.g. {@code epoch 3: train loss 1.2345, train adv 41.20% (AWP on 32
     * batches), validation clean 70.10%, adv 38.00% (1000)}.
     *
     * @return the summary
     */
    @Override
    public String toString() {
        StringBuilder line =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "epoch %d: train loss %.4f, train adv %.2f%% (AWP on %d batches)",
                                epoch,
                                trainLoss,
                                100 * trainAdversarialAccuracy(),
                                perturbedBatches));
        if (validation != null) {
            line.append(
                    String.format(
                            Locale.ROOT,
                            ", validation clean %.2f%%, adv %.2f%% (%d)",
                            100 * validation.cleanAccuracy(),
                            100 * validation.adversarialAccuracy(),
                            validation.size()));
        }
        return line.toString();
    }
}
