package dev.awp.djl.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.Trainer;
import dev.awp.attack.Attack;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.perturbation.AppliedPerturbation;
import dev.awp.djl.perturbation.AwpOptimizer;

/**
 * AWP as one training step of {@link AwpEasyTrain} uses it: the trainer's {@link AwpOptimizer}, or
 * {@link #NONE} for the base method without AWP (the null object for {@link AwpEasyTrain}'s
 * optional {@code awp} argument).
 */
interface StepPerturbation {

    /** No AWP: nothing is perturbed, nothing is restored, the epoch is always 0. */
    StepPerturbation NONE =
            new StepPerturbation() {
                @Override
                public int epoch() {
                    return 0;
                }

                @Override
                public void setEpoch(int epoch) {}

                @Override
                public void requireRestored() {}

                @Override
                public boolean perturbs() {
                    return false;
                }

                @Override
                public AttackTarget attackTarget(Trainer trainer, Attack attack) {
                    return AttackTarget.of(trainer);
                }

                @Override
                public AppliedPerturbation perturb(
                        Trainer trainer,
                        TrainingObjective objective,
                        NDArray x,
                        NDArray y,
                        NDArray xAdv) {
                    return AppliedPerturbation.none();
                }

                @Override
                public WeightSnapshot snapshot(
                        Trainer trainer, TrainableWeights weights, NDManager scope) {
                    return WeightSnapshot.take(weights, scope);
                }

                @Override
                public void step(Trainer trainer, WeightSnapshot before) {
                    trainer.step();
                    before.checkFiniteUpdate();
                }
            };

    /**
     * The step perturbation of an optional optimizer.
     *
     * @param awp the trainer's optimizer, or {@code null} for the base method
     * @return {@link #NONE} for {@code null}
     */
    static StepPerturbation of(AwpOptimizer awp) {
        return awp == null ? NONE : new Awp(awp);
    }

    /** The optimizer's epoch, which decides its warm-up. */
    int epoch();

    /** Sets the optimizer's epoch. */
    void setEpoch(int epoch);

    /**
     * Throws if the previous batch's perturbation is still applied (its {@code trainer.step()} was
     * not called), after restoring {@code w}.
     */
    void requireRestored();

    /** Whether {@link #perturb} perturbs the weights in the current epoch (it then checks x'). */
    boolean perturbs();

    /** The target the attack runs on: see {@link AwpOptimizer#attackTarget}. */
    AttackTarget attackTarget(Trainer trainer, Attack attack);

    /** Perturbs the weights by {@code v}: see {@link AwpOptimizer#perturb}. */
    AppliedPerturbation perturb(
            Trainer trainer, TrainingObjective objective, NDArray x, NDArray y, NDArray xAdv);

    /**
     * The copy of the weights a failed {@link #step} puts back, taken before the perturbation:
     * every weight for an optimizer whose update cannot be checked before it is applied; for an
     * {@link AwpOptimizer}, only on its first step with the trainer, which proves that it is the
     * trainer's optimizer; {@link WeightSnapshot#NONE} after.
     */
    WeightSnapshot snapshot(Trainer trainer, TrainableWeights weights, NDManager scope);

    /**
     * {@code trainer.step()}, which restores {@code w}, with the updated weights checked finite: by
     * the copy for a plain optimizer, by {@link AwpOptimizer#step} (before the update is kept, no
     * copy) for an {@link AwpOptimizer}. If the trainer stepped with another optimizer than the
     * {@link AwpOptimizer}, every weight is put back to its value before the step and the
     * misconfiguration is reported.
     */
    void step(Trainer trainer, WeightSnapshot before);

    /** The trainer's {@link AwpOptimizer}. */
    record Awp(AwpOptimizer optimizer) implements StepPerturbation {

        @Override
        public int epoch() {
            return optimizer.getEpoch();
        }

        @Override
        public void setEpoch(int epoch) {
            optimizer.setEpoch(epoch);
        }

        @Override
        public void requireRestored() {
            if (optimizer.hasAppliedPerturbation()) {
                optimizer.restorePerturbation();
                throw new IllegalStateException(
                        "the weights were still perturbed by the previous batch: they are restored"
                                + " to w and this batch was not trained. Call trainer.step() once"
                                + " after each AwpEasyTrain.trainBatch, and configure the trainer"
                                + " with the AwpOptimizer as its optimizer"
                                + " (DefaultTrainingConfig.optOptimizer)");
            }
        }

        @Override
        public boolean perturbs() {
            return optimizer.isActive();
        }

        @Override
        public AttackTarget attackTarget(Trainer trainer, Attack attack) {
            return optimizer.attackTarget(trainer, attack);
        }

        @Override
        public AppliedPerturbation perturb(
                Trainer trainer, TrainingObjective objective, NDArray x, NDArray y, NDArray xAdv) {
            return optimizer.perturb(trainer, objective, x, y, xAdv);
        }

        @Override
        public WeightSnapshot snapshot(Trainer trainer, TrainableWeights weights, NDManager scope) {
            return optimizer.hasStepped(trainer)
                    ? WeightSnapshot.NONE
                    : WeightSnapshot.take(weights, scope);
        }

        @Override
        public void step(Trainer trainer, WeightSnapshot before) {
            try {
                optimizer.step(trainer);
            } catch (IllegalStateException e) {
                if (!optimizer.hasStepped(trainer)) {
                    // the first step with this trainer failed: back to the copy
                    optimizer.restorePerturbation();
                    before.putBack();
                }
                throw e;
            }
        }
    }
}
