package dev.awp.training;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.attack.Attack;
import dev.awp.attack.ThreatModel;
import dev.awp.internal.Checks;
import dev.awp.objective.Objective;
import dev.awp.perturbation.WeightPerturbation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.immutables.value.Value;

/**
 * A complete adversarial training specification: the {@link #objective() objective} minimized at
 * each step, the {@link #attack() attack} that crafts its adversarial inputs, the optional {@link
 * #weightPerturbation() adversarial weight perturbation}, and the run's length, batch size,
 * optimizer, schedule, evaluation, checkpoints and seed. An engine binding (e.g. {@code awp-djl})
 * runs it. Named to avoid DJL's {@code Trainer}.
 *
 * <pre>{@code
 * AdversarialTraining atAwp = Recipes.atAwp().withEpochs(10);
 * AdversarialTraining custom = AdversarialTraining.builder()
 *         .objective(Objectives.trades())
 *         .attack(Attacks.tradesTraining())
 *         .weightPerturbation(WeightPerturbation.builder().gamma(0.005).warmupEpochs(2).build())
 *         .epochs(20)
 *         .schedule(Schedules.multiStep(0.1, 10, 15))
 *         .build();
 * }</pre>
 *
 * <p>Besides each attribute's own rules, the specification is checked as a whole:
 *
 * <ul>
 *   <li>with γ &gt; 0, {@code weightPerturbation.warmupEpochs < epochs} (otherwise AWP never
 *       starts);
 *   <li>SWA's {@code weightAveraging.startEpoch < epochs};
 *   <li>a {@link MultiStepSchedule}'s milestones are {@code < epochs};
 *   <li>a {@link CosineSchedule}'s {@code minLearningRate} is at most {@code
 *       optimizer.learningRate};
 *   <li>{@code evaluation.everyEpochs} and {@code checkpoints.everyEpochs} are at most {@code
 *       epochs};
 *   <li>the evaluation attack has the training attack's threat model (the best epoch is selected by
 *       robustness against the threat the model was trained for).
 * </ul>
 *
 * When changing several attributes of a valid specification with {@code withX(..)}, each copy is
 * checked: shorten the schedule before the run (e.g. {@code
 * Recipes.tradesAwp().withSchedule(Schedules.multiStep(0.1, 10, 15)).withEpochs(20)}), or use
 * {@code AdversarialTraining.builder().from(..)} and set everything before {@code build()}.
 */
@Value.Immutable
abstract class AbstractAdversarialTraining {

    /**
     * The training objective, also used to compute the weight perturbation.
     *
     * @return the objective, e.g. {@link dev.awp.objective.Objectives#pgdAt()}
     */
    public abstract Objective objective();

    /**
     * The attack that crafts the adversarial inputs of every training step, on the unperturbed
     * weights.
     *
     * @return the attack, e.g. {@link dev.awp.attack.Attacks#pgdTraining()}
     */
    public abstract Attack attack();

    /**
     * The adversarial weight perturbation.
     *
     * @return the perturbation; default {@link WeightPerturbation#none()} (the base method)
     */
    @Value.Default
    public WeightPerturbation weightPerturbation() {
        return WeightPerturbation.none();
    }

    /**
     * The average of the weights that is evaluated and exported instead of the raw weights, updated
     * after every optimizer step from the weights the step leaves (with AWP, the restored {@code
     * w}).
     *
     * @return the averaging; default {@link WeightAveraging#none()} (the raw weights)
     */
    @Value.Default
    public WeightAveraging weightAveraging() {
        return WeightAveraging.none();
    }

    /**
     * The fraction of every training batch drawn from the trainer's extra data (pseudo-labelled or
     * generated images): {@code round(extraDataFraction · batchSize)} examples of each batch, the
     * rest from the labelled training data, an epoch being one pass over the labelled data (see
     * {@code ClassificationData.mixed} in awp-djl). Robust self-training uses 0.5.
     *
     * @return the fraction, in {@code [0, 1)}; default 0 (no extra data)
     */
    @Value.Default
    public double extraDataFraction() {
        return 0;
    }

    /**
     * The extra sources mixed into every training batch, each with its own fraction of the batch
     * and loss weight, e.g. 0.3 pseudo-labelled and 0.4 generated; the engine binding takes their
     * data by name. {@link ExtraSource} states the per-batch counts (largest remainder) and the
     * weighted-mean loss. For one source of loss weight 1, {@link #extraDataFraction()} says the
     * same; the two cannot be combined.
     *
     * @return the sources, in order, with distinct names and fractions summing to less than 1;
     *     default none
     */
    public abstract List<ExtraSource> extraSources();

    /**
     * The weight of the labelled examples' losses in a step's weighted-mean loss {@code Σ_i w_i·ℓ_i
     * / Σ_i w_i} when extra sources are mixed in (see {@link ExtraSource}); RST weights its
     * pseudo-labelled examples against the labelled ones through this ratio and the fractions.
     *
     * @return the weight, finite and &gt; 0; default 1
     */
    @Value.Default
    public double labelledLossWeight() {
        return 1;
    }

    /**
     * Whether any example's loss has a weight other than 1, so that a step computes the
     * weighted-mean loss instead of the plain mean.
     *
     * @return true if {@link #labelledLossWeight()} or an extra source's loss weight is not 1
     */
    public final boolean weightsLosses() {
        return labelledLossWeight() != 1
                || extraSources().stream().anyMatch(source -> source.lossWeight() != 1);
    }

    /**
     * The number of epochs.
     *
     * @return the epochs, at least 1
     */
    public abstract int epochs();

    /**
     * The number of examples per training batch.
     *
     * @return the batch size, at least 1; default 128
     */
    @Value.Default
    public int batchSize() {
        return 128;
    }

    /**
     * The optimizer.
     *
     * @return the optimizer; default {@code OptimizerSpec.sgd(0.1, 0.9, 5e-4)}
     */
    @Value.Default
    public OptimizerSpec optimizer() {
        return OptimizerSpec.sgd(0.1, 0.9, 5e-4);
    }

    /**
     * The learning-rate schedule applied to {@link OptimizerSpec#learningRate()}.
     *
     * @return the schedule; default {@link Schedules#reference()}
     */
    @Value.Default
    public LearningRateSchedule schedule() {
        return Schedules.reference();
    }

    /**
     * When and how robustness is measured during the run.
     *
     * @return the plan; default {@code EvaluationPlan.builder().build()}
     */
    @Value.Default
    public EvaluationPlan evaluation() {
        return EvaluationPlan.builder().build();
    }

    /**
     * Which checkpoints are written.
     *
     * @return the policy; default {@code CheckpointPolicy.builder().build()} (best and last)
     */
    @Value.Default
    public CheckpointPolicy checkpoints() {
        return CheckpointPolicy.builder().build();
    }

    /**
     * What the run checks for divergence and collapse, and what it does then.
     *
     * @return the policy; default {@link DivergencePolicy#stop()}
     */
    @Value.Default
    public DivergencePolicy divergence() {
        return DivergencePolicy.stop();
    }

    /**
     * Which training-mode forwards each step runs beyond those its loss needs; they move the
     * BatchNorm running statistics, not the weights. See {@link BatchNormForwards}.
     *
     * @return the forwards; default {@link BatchNormForwards#MINIMAL} ({@link Recipes} use {@link
     *     BatchNormForwards#OFFICIAL})
     */
    @Value.Default
    public BatchNormForwards batchNormForwards() {
        return BatchNormForwards.MINIMAL;
    }

    /**
     * The seed of every random choice of the run (initialization, shuffling, augmentation, attack
     * starts).
     *
     * @return the seed; default 0
     */
    @Value.Default
    public long seed() {
        return 0L;
    }

    /**
     * This specification with another threat model for the training attack <em>and</em> the
     * evaluation attack together (they must agree), every other setting kept. Use it to change ε in
     * one call, e.g. {@code Recipes.atAwp().withThreatModel(ThreatModel.linf(0.1))} for MNIST-like
     * data.
     *
     * @param threatModel the threat model
     * @return the new specification
     * @throws UnsupportedOperationException if a custom attack cannot change its threat model
     */
    public final AdversarialTraining withThreatModel(ThreatModel threatModel) {
        return AdversarialTraining.builder()
                .from(this)
                .attack(attack().withThreatModel(threatModel))
                .evaluation(
                        evaluation().withAttack(evaluation().attack().withThreatModel(threatModel)))
                .build();
    }

    @Value.Check
    void check() {
        Checks.atLeast("epochs", epochs(), 1);
        Checks.atLeast("batchSize", batchSize(), 1);
        Checks.atLeastZeroBelowOne("extraDataFraction", extraDataFraction());
        Checks.positive("labelledLossWeight", labelledLossWeight());
        checkArgument(
                extraDataFraction() == 0 || extraSources().isEmpty(),
                "extraDataFraction must be 0 when extraSources are set but was %s: list the"
                        + " source as an ExtraSource instead",
                extraDataFraction());
        double sum = 0;
        Set<String> names = new HashSet<>();
        for (ExtraSource source : extraSources()) {
            checkArgument(
                    names.add(source.name()),
                    "extraSources names must be distinct but '%s' appears twice",
                    source.name());
            sum += source.fraction();
        }
        checkArgument(
                sum < 1,
                "extraSources fractions must sum to less than 1 but summed to %s: the labelled"
                        + " data needs a share of every batch",
                sum);
        WeightPerturbation awp = weightPerturbation();
        checkArgument(
                awp.gamma() == 0 || awp.warmupEpochs() < epochs(),
                "weightPerturbation.warmupEpochs must be < epochs (%s) but was %s: AWP would never"
                        + " start; shorten the warm-up, add epochs, or use WeightPerturbation.none()",
                epochs(),
                awp.warmupEpochs());
        checkArgument(
                weightAveraging().kind() != AveragingKind.SWA
                        || weightAveraging().startEpoch() < epochs(),
                "weightAveraging.startEpoch must be < epochs (%s) but was %s: SWA would never"
                        + " start",
                epochs(),
                weightAveraging().startEpoch());
        if (schedule() instanceof MultiStepSchedule) {
            List<Integer> milestones = ((MultiStepSchedule) schedule()).milestones();
            checkArgument(
                    milestones.get(milestones.size() - 1) < epochs(),
                    "schedule.milestones must be < epochs (%s) but was %s: milestones are 0-based"
                            + " epochs and one at or after the end never applies; scale them to"
                            + " the run or use Schedules.reference(), which is relative to it",
                    epochs(),
                    milestones);
        }
        if (schedule() instanceof CosineSchedule) {
            double min = ((CosineSchedule) schedule()).minLearningRate();
            checkArgument(
                    min <= optimizer().learningRate(),
                    "schedule.minLearningRate must be <= optimizer.learningRate (%s) but was %s",
                    optimizer().learningRate(),
                    min);
        }
        checkArgument(
                evaluation().everyEpochs() <= epochs(),
                "evaluation.everyEpochs must be <= epochs (%s) but was %s",
                epochs(),
                evaluation().everyEpochs());
        checkArgument(
                checkpoints().everyEpochs() <= epochs(),
                "checkpoints.everyEpochs must be <= epochs (%s) but was %s: no periodic"
                        + " checkpoint would be written; use 0 to turn them off",
                epochs(),
                checkpoints().everyEpochs());
        checkArgument(
                evaluation().attack().threatModel().equals(attack().threatModel()),
                "evaluation.attack.threatModel must equal attack.threatModel (%s) but was %s:"
                        + " the best epoch would be chosen against another threat; set an"
                        + " evaluation attack with the training threat model",
                attack().threatModel(),
                evaluation().attack().threatModel());
    }
}
