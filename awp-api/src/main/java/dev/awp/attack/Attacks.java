package dev.awp.attack;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Presets for the attack conventions of the AWP paper and its reference code (inputs in [0, 1]).
 * Each returns an immutable value; override any field with its {@code withX(..)} method, e.g.
 * {@code Attacks.pgd20().withRestarts(5)}.
 */
public final class Attacks {

    /** The L∞ budget of the CIFAR-10 and SVHN experiments: 8/255. */
    public static final double LINF_EPSILON = 8 / 255.0;

    /** The L∞ step size of training and evaluation PGD: 2/255. */
    public static final double LINF_STEP = 2 / 255.0;

    /** The L2 budget of the CIFAR-10 L2 experiments: 128/255. */
    public static final double L2_EPSILON = 128 / 255.0;

    /** The L2 training step size: 15/255. */
    public static final double L2_STEP = 15 / 255.0;

    /** The confidence κ of the CW∞ evaluation's margin loss. */
    public static final double CW_KAPPA = 10;

    private Attacks() {}

    /**
     * PGD-AT's training attack as in the AWP reference code: L∞ 8/255, α = 2/255, 10 steps, uniform
     * start, cross-entropy, BatchNorm in training mode (the reference attacks with {@code
     * model.train()}).
     *
     * @return the attack
     */
    public static PgdAttack pgdTraining() {
        return PgdAttack.builder()
                .threatModel(ThreatModel.linf(LINF_EPSILON))
                .steps(10)
                .stepSize(LINF_STEP)
                .randomStart(RandomStart.UNIFORM)
                .batchNormMode(BatchNormMode.TRAIN)
                .build();
    }

    /**
     * PGD-AT's L2 training attack: ε = 128/255, α = 15/255, 10 steps, uniform start, BatchNorm in
     * training mode.
     *
     * @return the attack
     */
    public static PgdAttack pgdTrainingL2() {
        return PgdAttack.builder()
                .threatModel(ThreatModel.l2(L2_EPSILON))
                .steps(10)
                .stepSize(L2_STEP)
                .randomStart(RandomStart.UNIFORM)
                .batchNormMode(BatchNormMode.TRAIN)
                .build();
    }

    /**
     * TRADES's training attack: start at {@code x + 0.001·N(0, 1)}, 10 steps of α = 2/255 on the KL
     * divergence to the clean prediction, L∞ 8/255, BatchNorm in inference mode.
     *
     * @return the attack
     */
    public static PgdAttack tradesTraining() {
        return PgdAttack.builder()
                .threatModel(ThreatModel.linf(LINF_EPSILON))
                .steps(10)
                .stepSize(LINF_STEP)
                .randomStart(RandomStart.GAUSSIAN)
                .loss(AttackLoss.klToClean())
                .batchNormMode(BatchNormMode.EVAL)
                .build();
    }

    /**
     * MART's training attack: start at {@code x + 0.001·N(0, 1)}, 10 steps of α = 2/255 on the
     * cross-entropy, L∞ 8/255, BatchNorm in inference mode.
     *
     * @return the attack
     */
    public static PgdAttack martTraining() {
        return tradesTraining().withLoss(AttackLoss.crossEntropy());
    }

    /**
     * Evaluation PGD with the given number of steps: L∞ 8/255, α = 2/255, uniform start,
     * cross-entropy, BatchNorm in inference mode.
     *
     * @param steps the number of steps, at least 1
     * @return the attack
     * @throws IllegalArgumentException if {@code steps < 1}
     */
    public static PgdAttack pgd(int steps) {
        return PgdAttack.builder()
                .threatModel(ThreatModel.linf(LINF_EPSILON))
                .steps(steps)
                .stepSize(LINF_STEP)
                .randomStart(RandomStart.UNIFORM)
                .batchNormMode(BatchNormMode.EVAL)
                .build();
    }

    /**
     * The standard evaluation PGD-20 (model selection in the AWP paper).
     *
     * @return the attack
     */
    public static PgdAttack pgd20() {
        return pgd(20);
    }

    /**
     * CW∞: PGD on the margin loss with κ = {@value #CW_KAPPA}, 100 steps of α = 2/255, L∞ 8/255.
     *
     * @return the attack
     */
    public static PgdAttack cwInf() {
        return pgd(100).withLoss(AttackLoss.cwMargin(CW_KAPPA)).withName("CW-100");
    }

    /**
     * Evaluation FGSM: a random start in the ε-ball and one step of α = 16/255, L∞ 8/255.
     *
     * @return the attack
     */
    public static FgsmAttack fgsm() {
        return FgsmAttack.builder()
                .threatModel(ThreatModel.linf(LINF_EPSILON))
                .stepSize(16 / 255.0)
                .randomStart(RandomStart.UNIFORM)
                .build();
    }

    /**
     * APGD-CE as in AutoAttack's standard evaluation: Auto-PGD on the cross-entropy, 100 steps, one
     * run, L∞ 8/255, BatchNorm in inference mode.
     *
     * @return the attack
     */
    public static ApgdAttack apgdCe() {
        return ApgdAttack.builder()
                .threatModel(ThreatModel.linf(LINF_EPSILON))
                .steps(100)
                .restarts(1)
                .loss(ApgdLoss.CROSS_ENTROPY)
                .batchNormMode(BatchNormMode.EVAL)
                .build();
    }

    /**
     * APGD-DLR: Auto-PGD on the (untargeted) DLR loss, 100 steps, one run, L∞ 8/255. Needs at least
     * 3 classes.
     *
     * @return the attack
     */
    public static ApgdAttack apgdDlr() {
        return apgdCe().withLoss(ApgdLoss.DLR);
    }

    /**
     * APGD-T as in AutoAttack's standard evaluation: Auto-PGD on the targeted DLR loss towards each
     * of the 9 classes with the highest clean logits after the top one (capped at the number of
     * classes − 1), 100 steps and one run per target, L∞ 8/255. Needs at least 4 classes.
     *
     * @return the attack
     */
    public static ApgdAttack apgdT() {
        return apgdDlr().withTargeted(true).withTargetClasses(9);
    }

    /**
     * FAB-T as in AutoAttack's standard evaluation: the targeted Fast Adaptive Boundary attack
     * towards each of the 9 classes with the highest clean logits after the top one (capped at the
     * number of classes − 1), 100 iterations and one run (from the clean input) per target, α_max =
     * 0.1, η = 1.05, β = 0.9, L∞ 8/255.
     *
     * @return the attack
     */
    public static FabAttack fabT() {
        return FabAttack.builder()
                .threatModel(ThreatModel.linf(LINF_EPSILON))
                .steps(100)
                .restarts(1)
                .targeted(true)
                .targetClasses(9)
                .batchNormMode(BatchNormMode.EVAL)
                .build();
    }

    /**
     * Untargeted FAB: 100 iterations, one run, L∞ 8/255 (AutoAttack's "plus" version uses 5
     * restarts: {@code Attacks.fab().withRestarts(5)}). Linearizes every class at every iteration,
     * so it costs one input gradient per class.
     *
     * @return the attack
     */
    public static FabAttack fab() {
        return fabT().withTargeted(false);
    }

    /**
     * The Square attack as in AutoAttack's standard evaluation: 5,000 queries, p_init = 0.8, one
     * run, margin loss, L∞ 8/255.
     *
     * @return the attack
     */
    public static SquareAttack square() {
        return SquareAttack.builder()
                .threatModel(ThreatModel.linf(LINF_EPSILON))
                .queries(5000)
                .pInit(0.8)
                .restarts(1)
                .batchNormMode(BatchNormMode.EVAL)
                .build();
    }

    /**
     * AutoAttack's standard version (Croce and Hein, 2020, <a
     * href="https://arxiv.org/abs/2003.01690">arXiv:2003.01690</a>; the settings of the reference
     * implementation, fra31/auto-attack, for L∞ and L2): {@link #apgdCe() APGD-CE} (100 iterations,
     * 1 run), {@link #apgdT() APGD-T} (9 targets, 100 iterations), {@link #fabT() FAB-T} (9
     * targets, 100 iterations) and {@link #square() Square} (5,000 queries, p_init 0.8), all in the
     * given threat model. Run them as a cascade, each attack on the examples still robust:
     *
     * <pre>{@code
     * RobustnessEvaluator evaluator = RobustnessEvaluator.builder()
     *         .optAttacks(Attacks.autoAttack(ThreatModel.linf(8 / 255.0)))
     *         .build();
     * }</pre>
     *
     * APGD-T needs at least 4 classes (its targeted DLR loss uses the fourth-largest logit); the
     * targeted attacks use at most {@code classes − 1} targets.
     *
     * @param threatModel the threat model, L∞ or L2
     * @return the four attacks, in the order they run, an unmodifiable list
     * @throws NullPointerException if {@code threatModel} is null
     */
    public static List<Attack> autoAttack(ThreatModel threatModel) {
        requireNonNull(threatModel, "threatModel");
        return List.of(
                apgdCe().withThreatModel(threatModel),
                apgdT().withThreatModel(threatModel),
                fabT().withThreatModel(threatModel),
                square().withThreatModel(threatModel));
    }
}
