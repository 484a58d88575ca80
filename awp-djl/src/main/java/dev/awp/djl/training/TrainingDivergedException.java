package dev.awp.djl.training;

import static java.util.Objects.requireNonNull;

import dev.awp.event.WarningKind;
import dev.awp.report.TrainingReport;

/**
 * A training run stopped because it diverged (a non-finite loss, gradient, weight perturbation or
 * weight) or its robust accuracy collapsed, and its {@link dev.awp.training.DivergencePolicy} said
 * stop (or its retries ran out). By then the model holds the last good weights and BatchNorm
 * statistics — those after the last epoch that passed the checks, or the initial ones — never
 * non-finite values, and {@link #report()} describes the good epochs.
 *
 * <p>An {@link IllegalStateException}, as the trainer's other run failures are.
 */
public final class TrainingDivergedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient TrainingReport report;

    /** What went wrong: a divergence or a collapse. */
    private final WarningKind kind;

    TrainingDivergedException(
            String message, WarningKind kind, TrainingReport report, Throwable cause) {
        super(message, cause);
        this.kind = requireNonNull(kind, "kind");
        this.report = requireNonNull(report, "report");
    }

    /**
     * The report of the run up to the last good epoch (its epochs, best epoch and time).
     *
     * @return the report
     */
    public TrainingReport report() {
        return report;
    }

    /**
     * What stopped the run.
     *
     * @return {@link WarningKind#DIVERGENCE} or {@link WarningKind#ROBUST_ACCURACY_COLLAPSE}
     */
    public WarningKind kind() {
        return kind;
    }
}
