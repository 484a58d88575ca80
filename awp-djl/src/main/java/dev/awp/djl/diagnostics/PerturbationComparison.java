package dev.awp.djl.diagnostics;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.awp.attack.Attack;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.internal.StatisticsProxy;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.objective.TrainingObjectives;
import dev.awp.djl.perturbation.AppliedPerturbation;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.perturbation.PerturbedTensors;
import dev.awp.objective.Objective;
import dev.awp.perturbation.TensorSelection;
import dev.awp.perturbation.WeightPerturbation;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A random weight perturbation against the adversarial one of the same size: the paper's claim that
 * AWP's benefit comes from the <em>adversarial</em> direction, since a random perturbation with
 * {@code ‖v_l‖ = γ‖w_l‖} barely changes the loss.
 *
 * <p>The objective is evaluated on one batch as AWP sees it — training mode, batch statistics — at
 * {@code w}, at {@code w + v_adv} (AWP's {@code v}) and at {@code w + v_random}, averaged over
 * several Gaussian draws. Every parameter, BatchNorm running statistics included, is restored
 * bit-exactly afterwards (a TorchScript model's statistics, which are not parameters, are never
 * touched: its training-mode forwards run on its proxy).
 *
 * @param gamma the relative size γ of both perturbations
 * @param lossAtW the objective at {@code w}
 * @param lossRandom the mean objective at {@code w + v_random}
 * @param lossAdversarial the objective at {@code w + v_adv}
 * @param draws the number of random draws averaged
 */
public record PerturbationComparison(
        double gamma, double lossAtW, double lossRandom, double lossAdversarial, int draws) {

    /**
     * The loss increase of the random perturbation.
     *
     * @return {@code lossRandom − lossAtW}
     */
    public double randomIncrease() {
        return lossRandom - lossAtW;
    }

    /**
     * The loss increase of the adversarial perturbation.
     *
     * @return {@code lossAdversarial − lossAtW}
     */
    public double adversarialIncrease() {
        return lossAdversarial - lossAtW;
    }

    /**
     * Measures the comparison on one batch.
     *
     * @param trainer the trainer of the model (one device); its optimizer is not used
     * @param objective the training objective
     * @param attack the attack that crafts the adversarial batch at {@code w}
     * @param x the clean inputs
     * @param y the labels
     * @param gamma γ, positive
     * @param draws the number of random draws, at least 1
     * @param seed the seed of the attack and of the draws
     * @return the losses
     */
    public static PerturbationComparison measure(
            Trainer trainer,
            Objective objective,
            Attack attack,
            NDArray x,
            NDArray y,
            double gamma,
            int draws,
            long seed) {
        requireNonNull(trainer, "trainer");
        checkArgument(gamma > 0 && Double.isFinite(gamma), "gamma must be > 0 but was %s", gamma);
        checkArgument(draws >= 1, "draws must be >= 1 but was %s", draws);
        TrainingObjective bound = TrainingObjectives.bind(objective);
        AttackTarget target = AttackTarget.of(trainer);
        Block block = trainer.getModel().getBlock();
        List<NDArray> weights = new ArrayList<>();
        for (Pair<String, Parameter> pair :
                PerturbedTensors.select(block, TensorSelection.layerWeights())) {
            weights.add(pair.getValue().getArray());
        }
        List<NDArray> all = new ArrayList<>();
        List<ByteBuffer> originals = new ArrayList<>();
        for (Parameter parameter : block.getParameters().values()) {
            all.add(parameter.getArray());
            originals.add(parameter.getArray().toByteBuffer());
        }
        try (NDManager scope = x.getManager().newSubManager()) {
            scope.getEngine().setRandomSeed((int) seed);
            AttackTarget attackTarget =
                    attack.batchNormMode() == BatchNormMode.TRAIN
                            ? training(target, block)
                            : target;
            NDArray xAdv = InputAttacks.bind(attack).generate(attackTarget, x, y);
            xAdv.attach(scope);
            double atW = loss(training(target, block), bound, x, y, xAdv);
            double adversarial;
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0f)).build(),
                            WeightPerturbation.of(gamma));
            try (AppliedPerturbation v = awp.perturb(trainer, bound, x, y, xAdv)) {
                adversarial = loss(training(target, block), bound, x, y, xAdv);
            }
            restore(all, originals);
            double randomSum = 0;
            for (int draw = 0; draw < draws; draw++) {
                for (NDArray weight : weights) {
                    try (NDManager local = scope.newSubManager()) {
                        NDArray r =
                                local.randomNormal(weight.getShape(), weight.getDataType())
                                        .toDevice(weight.getDevice(), false);
                        NDArray w = weight.duplicate();
                        w.attach(local);
                        NDArray v = r.mul(w.norm().mul(gamma).div(r.norm()));
                        weight.set(w.add(v).toByteBuffer());
                    }
                }
                randomSum += loss(training(target, block), bound, x, y, xAdv);
                restore(all, originals);
            }
            return new PerturbationComparison(gamma, atW, randomSum / draws, adversarial, draws);
        } finally {
            restore(all, originals);
        }
    }

    /**
     * The target of training-mode forwards: the model, or, for a block whose BatchNorm statistics
     * are not parameters (a TorchScript model, which {@code all} cannot restore), its proxy set to
     * the current weights, so the model's statistics are left alone.
     */
    private static AttackTarget training(AttackTarget target, Block block) {
        return block instanceof StatisticsProxy proxied
                ? AttackTarget.of(proxied.syncedProxy())
                : target;
    }

    private static double loss(
            AttackTarget target, TrainingObjective objective, NDArray x, NDArray y, NDArray xAdv) {
        try (NDManager local = xAdv.getManager().newSubManager()) {
            NDArray clean =
                    objective.usesCleanInputs() ? target.logits(x, BatchNormMode.TRAIN) : null;
            if (clean != null) {
                clean.attach(local);
            }
            NDArray adversarial = target.logits(xAdv, BatchNormMode.TRAIN);
            adversarial.attach(local);
            NDArray value = objective.loss(clean, adversarial, y);
            value.attach(local);
            return value.toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private static void restore(List<NDArray> weights, List<ByteBuffer> originals) {
        for (int i = 0; i < weights.size(); i++) {
            weights.get(i).set(originals.get(i).rewind());
        }
    }
}
