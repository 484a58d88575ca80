package dev.awp.djl.training;

import dev.awp.event.WarningKind;

/**
 * Why an epoch failed the {@link DivergenceGuard}'s checks: non-finite weights or loss ({@link
 * WarningKind#DIVERGENCE}) or a collapse of robust accuracy ({@link
 * WarningKind#ROBUST_ACCURACY_COLLAPSE}). Thrown from inside the epoch and caught by {@link
 * EpochLoop}, which hands it to {@link DivergenceGuard#recover}; it never leaves the run (the
 * caller sees a {@link TrainingDivergedException} when the policy stops).
 */
final class EpochFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final WarningKind kind;
    private final int epoch;

    /**
     * A failure of an epoch.
     *
     * @param kind what went wrong
     * @param epoch the 0-based epoch that failed
     * @param message what went wrong, for the warning and the exception that may follow
     * @param cause the exception that showed it, or null
     */
    EpochFailure(WarningKind kind, int epoch, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.epoch = epoch;
    }

    /** A non-finite value (loss, gradient, update) that the step refused during {@code epoch}. */
    static EpochFailure diverged(int epoch, ArithmeticException cause) {
        return new EpochFailure(
                WarningKind.DIVERGENCE,
                epoch,
                "training diverged at epoch " + (epoch + 1) + ": " + cause.getMessage(),
                cause);
    }

    /** What went wrong. */
    WarningKind kind() {
        return kind;
    }

    /** The 0-based epoch that failed. */
    int epoch() {
        return epoch;
    }
}
