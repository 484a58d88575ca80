package dev.awp.djl.perturbation;

/**
 * A weight perturbation {@code v} currently added to the model's weights. Closing it guarantees
 * that the weights are back at {@code w}: tensors already restored by the optimizer step are left
 * alone, the others are restored as the step would, {@code w ← (w + v) − v} (the reference's
 * restore: {@code w} to within rounding, spec invariant 6). Use it in try-with-resources around the
 * training forward, backward and {@code trainer.step()}:
 *
 * <pre>{@code
 * try (AppliedPerturbation v = awp.perturb(trainer, objective, x, y, xAdv)) {
 *     // forward and backward at w + v
 *     trainer.step(); // steps at w + v, then restores w
 * }
 * }</pre>
 */
public final class AppliedPerturbation implements AutoCloseable {

    private static final AppliedPerturbation NONE = new AppliedPerturbation(null, 0);

    private final AwpOptimizer owner;
    private final int tensors;

    AppliedPerturbation(AwpOptimizer owner, int tensors) {
        this.owner = owner;
        this.tensors = tensors;
    }

    /**
     * A perturbation that perturbs nothing: what {@link AwpOptimizer#perturb} returns while AWP is
     * off (γ = 0 or warm-up).
     *
     * @return the empty perturbation
     */
    public static AppliedPerturbation none() {
        return NONE;
    }

    /**
     * Whether weights were perturbed.
     *
     * @return false for {@link #none()}
     */
    public boolean isActive() {
        return owner != null;
    }

    /**
     * The number of perturbed tensors.
     *
     * @return the count; 0 for {@link #none()}
     */
    public int perturbedTensors() {
        return tensors;
    }

    /** Restores every tensor the optimizer step has not restored yet. Idempotent. */
    @Override
    public void close() {
        if (owner != null) {
            owner.restore(this);
        }
    }
}
