package dev.awp.training;

/** The kinds of {@link WeightAveraging}. */
public enum AveragingKind {
    /** No averaging: the run evaluates and exports the raw weights. */
    NONE,
    /**
     * An exponential moving average of the weights, {@code a ← κ·a + (1 − κ)·w}, with a decay that
     * grows from 0 to {@link WeightAveraging#decay()} (see {@link WeightAveraging#keep}).
     */
    EMA,
    /**
     * Stochastic weight averaging (Izmailov et al., 2018): the equal-weight mean of the weights
     * after every step from {@link WeightAveraging#startEpoch()} on.
     */
    SWA
}
