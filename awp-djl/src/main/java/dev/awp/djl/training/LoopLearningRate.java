package dev.awp.djl.training;

import ai.djl.training.tracker.Tracker;

/**
 * The bridge from a {@link dev.awp.training.LearningRateSchedule} to DJL: a {@link Tracker} that
 * returns the learning rate the training loop set for the current iteration, whatever update count
 * DJL passes. DJL's trackers are functions of the update count only, while the AWP schedules are
 * functions of (epoch, iteration, iterations per epoch, epochs), so the loop evaluates the schedule
 * before every step and sets the value here.
 */
final class LoopLearningRate implements Tracker {

    private float value;

    LoopLearningRate(double initial) {
        set(initial);
    }

    /** Sets the learning rate of the next optimizer step. */
    void set(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(
                    "learningRate must be finite and non-negative but was " + learningRate);
        }
        this.value = (float) learningRate;
    }

    /** The learning rate of the next optimizer step, as the optimizer sees it. */
    float get() {
        return value;
    }

    @Override
    public float getNewValue(int numUpdate) {
        return value;
    }
}
