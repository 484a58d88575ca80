package dev.awp.djl.objective;

import dev.awp.training.BatchNormForwards;

/**
 * The training-mode forwards a training step runs beyond the attack's and the AWP pass's, in order,
 * as an objective's {@link TrainingObjective#forwards(BatchNormForwards)} asks for them. Each
 * training-mode forward moves the model's BatchNorm running statistics; none changes the weights'
 * update. A step runs:
 *
 * <ol>
 *   <li>after a training-mode attack, {@code f(x')} once more if {@link #restartSelection()} (the
 *       PGD-AT reference's restart-selection pass), before the AWP pass;
 *   <li>the update's forwards: {@code f(x')} then {@code f(x)} if {@link #adversarialFirst()},
 *       otherwise {@code f(x)} (when the objective uses clean inputs) then {@code f(x')};
 *   <li>after the update's backward, {@code f(x)} once more if {@link #cleanAfterBackward()} (the
 *       TRADES reference's cross-entropy forward);
 *   <li>after the optimizer step and the restore, {@code f(x)} if {@link #cleanAfterRestore()} (the
 *       PGD-AT reference's logging forward; only steps that call {@code trainer.step()} run it).
 * </ol>
 *
 * @param restartSelection whether {@code f(x')} runs once more after a training-mode attack
 * @param adversarialFirst whether the update forwards {@code x'} before {@code x}
 * @param cleanAfterBackward whether {@code f(x)} runs once more after the update's backward
 * @param cleanAfterRestore whether {@code f(x)} runs after the step's restore
 */
public record StepForwards(
        boolean restartSelection,
        boolean adversarialFirst,
        boolean cleanAfterBackward,
        boolean cleanAfterRestore) {

    /** Only the forwards the loss needs: clean (if used), then adversarial. */
    public static final StepForwards MINIMAL = new StepForwards(false, false, false, false);

    /**
     * The official PGD-AT (AT-AWP) script's forwards.
     *
     * @param forwards which forwards the step asks for
     * @return {@link #MINIMAL} for {@link BatchNormForwards#MINIMAL}; otherwise the
     *     restart-selection pass, and the logging forward for {@link BatchNormForwards#OFFICIAL}
     */
    public static StepForwards pgdAt(BatchNormForwards forwards) {
        if (forwards == BatchNormForwards.MINIMAL) {
            return MINIMAL;
        }
        return new StepForwards(true, false, false, forwards == BatchNormForwards.OFFICIAL);
    }

    /**
     * The official TRADES (TRADES-AWP) script's forwards.
     *
     * @param forwards which forwards the step asks for
     * @return {@link #MINIMAL} for {@link BatchNormForwards#MINIMAL}; otherwise {@code f(x')},
     *     {@code f(x)} (the KL target) and {@code f(x)} (the cross-entropy)
     */
    public static StepForwards trades(BatchNormForwards forwards) {
        if (forwards == BatchNormForwards.MINIMAL) {
            return MINIMAL;
        }
        return new StepForwards(false, true, true, false);
    }
}
