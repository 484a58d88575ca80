package dev.awp.djl.training;

/**
 * Clean and adversarial accuracy measured at the current weights, by {@link
 * AwpEasyTrain#validateBatch} for a batch or {@link AwpEasyTrain#evaluateDataset} for a dataset.
 *
 * @param cleanCorrect how many clean inputs the model classified correctly
 * @param adversarialCorrect how many adversarial inputs the model classified correctly
 * @param size the number of examples
 */
public record ValidationResult(long cleanCorrect, long adversarialCorrect, long size) {

    /**
     * The fraction of clean inputs classified correctly.
     *
     * @return the accuracy in [0, 1]; 0 for no examples
     */
    public double cleanAccuracy() {
        return size == 0 ? 0 : (double) cleanCorrect / size;
    }

    /**
     * The fraction of adversarial inputs classified correctly.
     *
     * @return the accuracy in [0, 1]; 0 for no examples
     */
    public double adversarialAccuracy() {
        return size == 0 ? 0 : (double) adversarialCorrect / size;
    }

    /**
     * The counts of both results together.
     *
     * @param other another result
     * @return the sums
     */
    public ValidationResult plus(ValidationResult other) {
        return new ValidationResult(
                cleanCorrect + other.cleanCorrect,
                adversarialCorrect + other.adversarialCorrect,
                size + other.size);
    }
}
