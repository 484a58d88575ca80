package dev.awp.djl.training;

import static java.util.Objects.requireNonNull;

import ai.djl.training.Trainer;
import dev.awp.attack.Attack;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.FgsmAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.report.Accuracy;
import dev.awp.report.AttackAccounting;
import dev.awp.report.RobustnessReport;
import dev.awp.training.EvaluationPlan;
import java.util.List;
import java.util.Optional;

/**
 * The measurements an {@link EvaluationPlan} asks for during training, taken by a {@link
 * RobustnessEvaluator} at the unperturbed weights and in inference mode: clean and robust accuracy
 * on a fixed validation subset, and robust accuracy on a fixed training subset (the robust
 * generalization gap). Both subsets are drawn once, with the plan's subset seed, so every
 * evaluation sees the same images; the evaluator re-seeds the attacks' random starts per batch from
 * the run's seed, so they are the same at every evaluation too. The numbers are those of a {@link
 * RobustnessEvaluator} configured as this probe configures it: an example is robust if it is
 * classified correctly at the clean input and under the attack.
 *
 * <p>Attacks run with BatchNorm in inference mode ({@link Attack#withBatchNormMode}) whatever their
 * specification says, so that evaluation never changes the running statistics. With {@code
 * measureFgsm}, FGSM accuracy (α = ε, no random start) on the validation subset too, for the
 * catastrophic-overfitting warning; it runs as a second, independently accounted attack of the same
 * evaluation, so it changes none of the other numbers.
 */
final class RobustnessProbe {

    private static final int VALIDATION = 0;
    private static final int TRAIN = 1;

    private final ClassificationData validation;
    private final ClassificationData train;
    private final RobustnessEvaluator validationEvaluator;
    private final RobustnessEvaluator trainEvaluator;

    /** The probe for a plan; {@code train} is ignored when the plan measures no train subset. */
    RobustnessProbe(
            EvaluationPlan plan,
            ClassificationData train,
            ClassificationData validation,
            int batchSize,
            long seed,
            boolean measureFgsm) {
        requireNonNull(plan, "plan");
        requireNonNull(train, "train");
        requireNonNull(validation, "validation");
        this.validation = subset(validation, plan.subsetSize(), plan.subsetSeed());
        this.train =
                plan.trainSubsetSize() == 0
                        ? null
                        : subset(train, plan.trainSubsetSize(), plan.subsetSeed());
        Attack attack = inInferenceMode(plan.attack());
        List<Attack> validationAttacks =
                measureFgsm ? List.of(attack, fgsm(attack.threatModel())) : List.of(attack);
        this.validationEvaluator =
                evaluator(validationAttacks, batchSize, RunSeeds.evaluation(seed, VALIDATION));
        this.trainEvaluator =
                this.train == null
                        ? null
                        : evaluator(List.of(attack), batchSize, RunSeeds.evaluation(seed, TRAIN));
    }

    /** The validation subset, the same at every evaluation. */
    ClassificationData validationSubset() {
        return validation;
    }

    /** The training subset, if the plan measures it. */
    Optional<ClassificationData> trainSubset() {
        return Optional.ofNullable(train);
    }

    /** Measures the model of the trainer; the weights and BatchNorm statistics are unchanged. */
    Result measure(Trainer trainer) {
        AttackTarget target = AttackTarget.of(trainer);
        RobustnessReport val = validationEvaluator.evaluate(target, validation);
        Optional<Accuracy> trainRobust =
                train == null
                        ? Optional.empty()
                        : Optional.of(trainEvaluator.evaluate(target, train).robustAccuracy());
        Optional<Accuracy> fgsm =
                val.attacks().size() > 1 ? val.attacks().get(1).ownAccuracy() : Optional.empty();
        return new Result(
                val.cleanAccuracy(),
                val.attacks().get(0).ownAccuracy().orElseThrow(),
                trainRobust,
                fgsm);
    }

    /**
     * One attack per example correctly classified at the clean input: each attack's own accuracy is
     * measured, and the first attack's numbers do not depend on whether FGSM follows it.
     */
    private static RobustnessEvaluator evaluator(List<Attack> attacks, int batchSize, long seed) {
        return RobustnessEvaluator.builder()
                .optAttacks(attacks)
                .optAccounting(AttackAccounting.INDEPENDENT)
                .optBatchSize(batchSize)
                .optSeed(seed)
                .optNoProgress()
                .optSanityChecks(false)
                .build();
    }

    private static Attack fgsm(ThreatModel threat) {
        return FgsmAttack.builder()
                .threatModel(threat)
                .stepSize(threat.epsilon())
                .batchNormMode(BatchNormMode.EVAL)
                .build();
    }

    private static ClassificationData subset(ClassificationData data, int size, long seed) {
        return size >= data.size() ? data : data.subset(size, seed);
    }

    /**
     * The attack with BatchNorm in inference mode: built-in attacks are copied, a custom attack
     * must support {@link Attack#withBatchNormMode} if it does not already run in that mode.
     */
    static Attack inInferenceMode(Attack attack) {
        return attack.withBatchNormMode(BatchNormMode.EVAL);
    }

    /** What one evaluation measured. */
    record Result(
            Accuracy clean,
            Accuracy robust,
            Optional<Accuracy> trainRobust,
            Optional<Accuracy> fgsm) {}
}
