package dev.awp.attack;

/** Where an iterative attack starts. */
public enum RandomStart {
    /** At the clean input. */
    NONE,
    /**
     * Uniformly in the ε-ball: L∞ — {@code δ ~ U(−ε, ε)}; L2 — a random direction at radius {@code
     * r·ε}, {@code r ~ U(0, 1)}; then clamped to the input bounds.
     */
    UNIFORM,
    /**
     * The TRADES/MART start: {@code x + σ·N(0, 1)} with σ = {@link PgdAttack#gaussianStd()}
     * (0.001); not clamped at the start, as in the reference code (the first step projects).
     */
    GAUSSIAN
}
