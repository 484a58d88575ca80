package dev.awp.djl.training;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import dev.awp.attack.Attack;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.FgsmAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.data.ClassificationData;
import dev.awp.report.Accuracy;
import dev.awp.training.EvaluationPlan;
import java.util.Optional;

/**
 * The measurements an {@link EvaluationPlan} asks for during training, at the unperturbed weights
 * and in inference mode: clean and robust accuracy on a fixed validation subset, and robust
 * accuracy on a fixed training subset (the robust generalization gap). Both subsets are drawn once,
 * with the plan's subset seed, so every evaluation sees the same images; the attack's random starts
 * are re-seeded per batch from the run's seed, so they are the same at every evaluation too.
 *
 * <p>Attacks run with BatchNorm in inference mode ({@link Attack#withBatchNormMode}) whatever their
 * specification says, so that evaluation never changes the running statistics. With {@code
 * measureFgsm}, FGSM accuracy (α = ε, no random start) on the validation subset too, for the
 * catastrophic-overfitting warning. This is a deliberately small measurement for the training loop,
 * not a full robustness evaluator.
 */
final class RobustnessProbe {

    private static final int VALIDATION = 0;
    private static final int TRAIN = 1;
    private static final int FGSM = 2;

    private final ClassificationData validation;
    private final ClassificationData train;
    private final InputAttack attack;
    private final InputAttack fgsm;
    private final int batchSize;
    private final long seed;

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
        this.attack = InputAttacks.bind(inInferenceMode(plan.attack()));
        ThreatModel threat = plan.attack().threatModel();
        this.fgsm =
                measureFgsm
                        ? InputAttacks.bind(
                                FgsmAttack.builder()
                                        .threatModel(threat)
                                        .stepSize(threat.epsilon())
                                        .batchNormMode(BatchNormMode.EVAL)
                                        .build())
                        : null;
        this.batchSize = batchSize;
        this.seed = seed;
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
        Counts val = count(trainer, validation, VALIDATION, true, attack);
        Optional<Accuracy> trainRobust =
                train == null
                        ? Optional.empty()
                        : Optional.of(count(trainer, train, TRAIN, false, attack).robust());
        Optional<Accuracy> fgsmRobust =
                fgsm == null
                        ? Optional.empty()
                        : Optional.of(count(trainer, validation, FGSM, false, fgsm).robust());
        return new Result(val.clean(), val.robust(), trainRobust, fgsmRobust);
    }

    private Counts count(
            Trainer trainer,
            ClassificationData data,
            int split,
            boolean clean,
            InputAttack attack) {
        AttackTarget target = AttackTarget.of(trainer);
        Engine engine = trainer.getManager().getEngine();
        long cleanCorrect = 0;
        long robustCorrect = 0;
        int batchIndex = 0;
        try (NDManager scope = trainer.getManager().newSubManager(trainer.getDevices()[0])) {
            for (Batch batch : data.evaluationBatches(scope, batchSize)) {
                try (batch) {
                    NDArray x = batch.getData().head();
                    NDArray y = batch.getLabels().head().toType(DataType.INT64, false);
                    if (clean) {
                        cleanCorrect += correct(trainer.evaluate(new NDList(x)).head(), y);
                    }
                    engine.setRandomSeed(RunSeeds.evaluation(seed, split, batchIndex++));
                    NDArray adversarial = attack.generate(target, x, y);
                    robustCorrect += correct(trainer.evaluate(new NDList(adversarial)).head(), y);
                }
            }
        }
        return new Counts(
                Accuracy.of((int) cleanCorrect, data.size()),
                Accuracy.of((int) robustCorrect, data.size()));
    }

    private static long correct(NDArray logits, NDArray y) {
        return logits.argMax(1).eq(y).sum().getLong();
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

    private record Counts(Accuracy clean, Accuracy robust) {}
}
