package dev.awp.perturbation;

/** When the weights are restored relative to the optimizer step. */
public enum StepOrder {
    /**
     * The AWP reference order: the optimizer step is taken at {@code w + v} (momentum and weight
     * decay see {@code w + v}), then {@code v} is subtracted. The default.
     */
    UPDATE_THEN_RESTORE,
    /**
     * The SAM order: {@code w} is restored first and the step, with the gradient computed at {@code
     * w + v}, is applied to {@code w}. Differs from the reference by {@code lr·wd·v} on a step
     * without momentum history.
     */
    RESTORE_THEN_UPDATE
}
