package dev.awp.event;

/** What a {@link TrainingWarning} is about. */
public enum WarningKind {
    /** A non-finite loss, gradient, weight perturbation or weight: the run diverged. */
    DIVERGENCE,
    /** Robust validation accuracy fell to chance after having been above it. */
    ROBUST_ACCURACY_COLLAPSE,
    /**
     * FGSM accuracy far above PGD accuracy: single-step attacks no longer find adversarial
     * examples.
     */
    CATASTROPHIC_OVERFITTING,
    /** The last good state was restored; the message says what happens next (retry or stop). */
    ROLLBACK
}
