package dev.awp.training;

/**
 * What a training run does when it diverges (a non-finite loss, gradient or weight perturbation) or
 * its robust accuracy collapses to chance. In both cases the run first restores the last good
 * weights, BatchNorm statistics and optimizer state (those at the end of the last epoch that passed
 * the checks, or the initial ones).
 */
public enum DivergenceAction {
    /**
     * Stop with an exception that carries the report of the good epochs; the model keeps the last
     * good weights.
     */
    STOP,
    /**
     * Multiply the learning rate by {@link DivergencePolicy#learningRateFactor()} and train again
     * from the last good epoch, at most {@link DivergencePolicy#maxRetries()} times; then stop as
     * {@link #STOP} does.
     */
    RETRY_WITH_LOWER_LEARNING_RATE
}
