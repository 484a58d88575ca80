package dev.awp.training;

import dev.awp.attack.Attacks;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;

/**
 * The training configurations published with AWP (Wu, Xia, Wang, <a
 * href="https://arxiv.org/abs/2004.05884">Adversarial Weight Perturbation Helps Robust
 * Generalization</a>, NeurIPS 2020, and its reference code), and the same configurations without
 * AWP for comparison. All use batch 128, SGD with learning rate 0.1, momentum 0.9 and weight decay
 * 5e-4 on all parameters, evaluation by PGD-20 on a validation subset, the best and last
 * checkpoints, seed 0, and the official scripts' training-mode forwards ({@link
 * BatchNormForwards#OFFICIAL}), so that BatchNorm running statistics evolve as in the official
 * code.
 *
 * <table>
 *   <caption>The recipes</caption>
 *   <tr><th>recipe</th><th>objective</th><th>attack</th><th>γ / warm-up</th><th>epochs</th>
 *       <th>schedule</th></tr>
 *   <tr><td>{@link #atAwp()}</td><td>PGD-AT</td><td>{@link Attacks#pgdTraining()}</td>
 *       <td>0.01 / 0</td><td>200</td><td>{@link Schedules#reference()}</td></tr>
 *   <tr><td>{@link #tradesAwp()}</td><td>TRADES β = 6</td><td>{@link Attacks#tradesTraining()}</td>
 *       <td>0.005 / 9</td><td>200</td><td>{@link Schedules#tradesReference()}</td></tr>
 *   <tr><td>{@link #rstAwp()}</td><td>TRADES β = 6, half of each batch pseudo-labelled</td>
 *       <td>{@link Attacks#tradesTraining()}</td><td>0.005 / 5</td><td>100 (batch 256)</td>
 *       <td>{@link Schedules#cosine()}</td></tr>
 *   <tr><td>{@link #tradesAwpEma()}</td><td colspan="5">{@link #tradesAwp()} with an EMA of the
 *       weights (decay 0.999) evaluated and exported</td></tr>
 *   <tr><td>{@link #martAwp()}</td><td>MART β = 6</td><td>{@link Attacks#martTraining()}</td>
 *       <td>0.005 / 9</td><td>100</td><td>{@link Schedules#martReference()}</td></tr>
 * </table>
 *
 * <p>{@link #at()}, {@link #trades()} and {@link #mart()} are the same without weight perturbation.
 * {@link #tradesAwpEma()} is not from the AWP paper: it adds to {@link #tradesAwp()} the
 * exponential moving average of the weights that the strongest later recipes evaluate. Each factory
 * returns an immutable value to override with {@code withX(..)}, e.g. {@code
 * Recipes.atAwp().withEpochs(10)}. The architectures and data pipelines of the paper
 * (PreActResNet-18, WRN-34-10, CIFAR-10 augmentation) are not part of the specification.
 */
public final class Recipes {

    private Recipes() {}

    /**
     * AT-AWP: PGD-AT with AWP γ = 0.01 from the first epoch (warm-up 0), the reference training
     * attack ({@link Attacks#pgdTraining()}: L∞ 8/255, α = 2/255, 10 steps, BatchNorm in training
     * mode), 200 epochs, batch 128, SGD 0.1 / 0.9 / 5e-4 and the piecewise reference schedule (η,
     * then η/10 from half of the run, η/100 from three quarters).
     *
     * @return the specification
     */
    public static AdversarialTraining atAwp() {
        return at().withWeightPerturbation(WeightPerturbation.of(0.01));
    }

    /**
     * TRADES-AWP: TRADES with β = 6 and AWP γ = 0.005 from the 10th epoch (0-based warm-up 9: the
     * official script counts epochs from 1 and perturbs when {@code epoch >= 10}), TRADES's attack
     * ({@link Attacks#tradesTraining()}: KL to the clean prediction, Gaussian start, 10 steps of
     * 2/255 within 8/255), 200 epochs, batch 128, SGD 0.1 / 0.9 / 5e-4, ×0.1 from 1-based epoch 100
     * and ×0.01 from 150 ({@link Schedules#tradesReference()}, 0-based milestones 99 and 149).
     *
     * @return the specification
     */
    public static AdversarialTraining tradesAwp() {
        return trades().withWeightPerturbation(
                        WeightPerturbation.builder().gamma(0.005).warmupEpochs(9).build());
    }

    /**
     * TRADES-AWP with an exponential moving average of the weights: {@link #tradesAwp()} with
     * {@link WeightAveraging#ema(double) WeightAveraging.ema(0.999)}, the average (updated after
     * every step from the restored weights, never {@code w + v}, with the raw model's BatchNorm
     * statistics) being what is evaluated, selected as best and exported.
     *
     * <p>Differences from the paper: the AWP paper evaluates the raw weights and averages nothing;
     * the decay 0.999 and its warm-up {@code min(0.999, (1+d)/(10+d))} are our choice, a common one
     * in the later robust-training literature, not a published AWP setting. Everything else is
     * {@link #tradesAwp()}'s.
     *
     * @return the specification
     */
    public static AdversarialTraining tradesAwpEma() {
        return tradesAwp().withWeightAveraging(WeightAveraging.ema(0.999));
    }

    /**
     * RST-AWP: TRADES-AWP on robust self-training's data (Carmon et al., 2019, <a
     * href="https://arxiv.org/abs/1905.13736">Unlabeled Data Improves Adversarial Robustness</a>):
     * half of every batch from the trainer's extra, pseudo-labelled data ({@link
     * AdversarialTraining#extraDataFraction()} 0.5), TRADES β = 6 with TRADES's attack (L∞ 8/255,
     * 10 steps of 2/255), AWP γ = 0.005 from 0-based epoch 5, batch 256, SGD 0.1 / 0.9 / 5e-4, a
     * cosine schedule over 100 epochs. The paper's best result (WRN-28-10, 500K pseudo-labelled
     * Tiny Images, 60.04 % AutoAttack) was trained so.
     *
     * <p>As far as published: the AWP authors released no RST-AWP code, so the settings are RST's
     * public code (batch 256 with {@code unsup_fraction} 0.5, lr 0.1, momentum 0.9, weight decay
     * 5e-4, cosine schedule, 200 epochs, β = 6, ε 0.031, 10 steps of 0.007) with TRADES-AWP's γ.
     * Differences, stated: (1) RST calls 50,000 examples an epoch (half a pass over CIFAR-10's
     * labelled images); here an epoch is one pass over the labelled data, so 100 epochs take as
     * many steps as RST's 200 on CIFAR-10, and the warm-up of 5 epochs is TRADES-AWP's 10 RST-size
     * epochs; (2) RST uses Nesterov momentum, not available here: plain momentum (PyTorch's rule);
     * (3) RST's cosine is evaluated once per epoch, ours at every iteration; (4) ε and α are 8/255
     * and 2/255 (0.0314, 0.0078) instead of 0.031 and 0.007. The pseudo-labels are the user's:
     * label the unlabelled pool with a standard classifier first ({@code PseudoLabels} in awp-djl).
     *
     * @return the specification
     */
    public static AdversarialTraining rstAwp() {
        return AdversarialTraining.builder()
                .from(trades())
                .weightPerturbation(
                        WeightPerturbation.builder().gamma(0.005).warmupEpochs(5).build())
                .extraDataFraction(0.5)
                .epochs(100)
                .batchSize(256)
                .schedule(Schedules.cosine())
                .build();
    }

    /**
     * MART-AWP: MART with β = 6 and AWP γ = 0.005 from the 10th epoch (0-based warm-up 9, by
     * analogy with TRADES-AWP; not published as code), MART's attack ({@link
     * Attacks#martTraining()}), 100 epochs, batch 128, SGD 0.1 / 0.9 / 5e-4, ×0.1 from 1-based
     * epoch 75 and ×0.01 from 90 ({@link Schedules#martReference()}, 0-based milestones 74 and 89).
     *
     * @return the specification
     */
    public static AdversarialTraining martAwp() {
        return mart().withWeightPerturbation(
                        WeightPerturbation.builder().gamma(0.005).warmupEpochs(9).build());
    }

    /**
     * PGD-AT (Madry et al., 2018) as AT-AWP runs it, without weight perturbation: the baseline of
     * {@link #atAwp()}.
     *
     * @return the specification
     */
    public static AdversarialTraining at() {
        return AdversarialTraining.builder()
                .objective(Objectives.pgdAt())
                .attack(Attacks.pgdTraining())
                .epochs(200)
                .batchSize(128)
                .optimizer(OptimizerSpec.sgd(0.1, 0.9, 5e-4))
                .schedule(Schedules.reference())
                .batchNormForwards(BatchNormForwards.OFFICIAL)
                .build();
    }

    /**
     * TRADES (Zhang et al., 2019) as TRADES-AWP runs it, without weight perturbation: the baseline
     * of {@link #tradesAwp()}.
     *
     * @return the specification
     */
    public static AdversarialTraining trades() {
        return AdversarialTraining.builder()
                .objective(Objectives.trades(6))
                .attack(Attacks.tradesTraining())
                .epochs(200)
                .batchSize(128)
                .optimizer(OptimizerSpec.sgd(0.1, 0.9, 5e-4))
                .schedule(Schedules.tradesReference())
                .batchNormForwards(BatchNormForwards.OFFICIAL)
                .build();
    }

    /**
     * MART (Wang et al., 2020) as MART-AWP runs it, without weight perturbation: the baseline of
     * {@link #martAwp()}. MART's own paper used weight decay 7e-4; this keeps 5e-4 so that the
     * comparison with {@link #martAwp()} differs only by AWP ({@code
     * withOptimizer(OptimizerSpec.sgd( 0.1, 0.9, 7e-4))} restores it).
     *
     * @return the specification
     */
    public static AdversarialTraining mart() {
        return AdversarialTraining.builder()
                .objective(Objectives.mart(6))
                .attack(Attacks.martTraining())
                .epochs(100)
                .batchSize(128)
                .optimizer(OptimizerSpec.sgd(0.1, 0.9, 5e-4))
                .schedule(Schedules.martReference())
                .batchNormForwards(BatchNormForwards.OFFICIAL)
                .build();
    }
}
