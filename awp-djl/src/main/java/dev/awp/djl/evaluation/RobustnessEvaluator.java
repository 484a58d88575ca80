package dev.awp.djl.evaluation;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
import ai.djl.training.util.ProgressBar;
import ai.djl.util.Progress;
import dev.awp.attack.ApgdAttack;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.FgsmAttack;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.internal.NoProgress;
import dev.awp.report.AttackAccounting;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures the robustness of a model on a dataset or a seeded subset of it: clean accuracy, then a
 * cascade of attacks, reported as a {@link RobustnessReport}.
 *
 * <pre>{@code
 * RobustnessEvaluator evaluator = RobustnessEvaluator.builder().optSeed(0).build();
 * RobustnessReport report = evaluator.evaluate(model.getBlock(), testSet, 1000, 0L);
 * Files.writeString(Path.of("robustness.json"), RobustnessReportJson.toJson(report));
 * }</pre>
 *
 * <p><b>What is measured.</b> An example is <em>robust</em> if it is classified correctly at the
 * clean input and under every attack: the report's {@link RobustnessReport#robustAccuracy()} is
 * this cumulative worst case, and each {@link AttackResult} carries the worst case after it. The
 * default cascade is {@link #defaultAttacks()}: FGSM, PGD-20, PGD-100, CW∞, APGD-CE and APGD-T (L∞
 * 8/255), cheapest first. With the default {@link AttackAccounting#CASCADE}, each attack runs only
 * on the examples still robust (as AutoAttack does), which keeps the expensive attacks cheap; each
 * attack then reports how many examples it ran on and broke, but not its own accuracy on all
 * examples. With {@link AttackAccounting#INDEPENDENT}, every attack runs on every example that is
 * correct at the clean input, so that each attack's own accuracy is comparable with published
 * single-attack numbers, at the cost of running every attack in full.
 *
 * <p><b>AutoAttack.</b> {@code optAttacks(Attacks.autoAttack(threatModel))} with the default
 * cascade accounting runs AutoAttack's standard version: APGD-CE, APGD-T, FAB-T and Square, each on
 * the examples still robust, with the reference's settings.
 *
 * <p><b>What is recorded.</b> Each {@link AttackResult} carries the attack's {@link Attack#name()}
 * and its settings: its type ({@link Attack#kind()}: {@code PGD}, {@code FGSM}, {@code APGD},
 * {@code FAB}, {@code Square}, or a custom attack's class name), the norm and ε of its threat
 * model, its own {@link Attack#parameters()} in their order, and its BatchNorm mode. A custom
 * attack that overrides {@link Attack#parameters()} is thus described as fully as a built-in one.
 * Each result also carries the attack's cost, {@link AttackResult#queries()} (single-example
 * forward passes, counted on the model the attack queries), and the report says which attack first
 * broke each example ({@link RobustnessReport#brokenBy()}).
 *
 * <p><b>Resuming.</b> With {@link Builder#optStatePath(Path)} the evaluation writes its state after
 * every stage, atomically, and continues from it when started again: the report is the one an
 * uninterrupted run gives, apart from the times.
 *
 * <p><b>Inference mode.</b> The model runs in inference mode throughout (BatchNorm uses and keeps
 * its running statistics); built-in attacks configured with {@link BatchNormMode#TRAIN} are
 * rejected. The evaluator checks afterwards that no parameter or running statistic changed (a
 * custom attack running the model in training mode would change them) and warns if one did.
 *
 * <p><b>Determinism.</b> The random draws are keyed by the example: attack {@code k} draws for
 * example {@code i} (its index in the evaluated dataset) from its own stream, {@code SplitMix64}
 * seeded from {@code (seed, k, i)} ({@link dev.awp.djl.attack.ExampleKeys#of}), whatever batch the
 * example is in, its position there and which other examples an earlier attack broke. The same
 * model, data, attacks and seed give the same report, apart from the times; splitting the data into
 * other batches or parts ({@link #evaluatePart}) does not change any example's draws. A custom
 * {@link dev.awp.djl.attack.InputAttack} that does not use the keys draws from the engine's
 * generator, which is re-seeded before each attack on each batch from {@code (seed, batch index,
 * attack index)} ({@code Engine.setRandomSeed}, which also changes the generator other code sees):
 * its draws depend on the batch.
 *
 * <p><b>Sanity checks.</b> Errors: inputs outside the threat model's bounds ({@link
 * IllegalArgumentException}: normalize inside the model, not in the data); a model with fewer
 * outputs than the dataset has classes, or too few classes for a DLR loss ({@link
 * IllegalArgumentException} naming the class count, before any attack runs); an attack whose
 * outputs leave the threat model ({@link IllegalStateException}). Warnings, logged and kept in the
 * report, on the first batch: input gradients that are exactly zero (a hint of gradient masking,
 * which makes gradient attacks overestimate robustness), outputs that change between two identical
 * forward passes (randomness in inference mode), outputs that look like probabilities rather than
 * logits; and, at the end, a model changed by the evaluation.
 *
 * <p>Progress is shown with a DJL {@link ProgressBar} by default; pass any {@link Progress} or turn
 * it off with {@link Builder#optNoProgress()}. An evaluator may be reused but not shared between
 * threads while it runs.
 */
public final class RobustnessEvaluator {

    /**
     * Progress units per stage (the clean pass of a batch, or one attack on a batch): a running
     * attack moves within its stage's units, so that a bar that redraws only when its percentage
     * changes (DJL's {@link ProgressBar}) moves during a long stage.
     */
    static final long UNITS_PER_STAGE = 100;

    // read by EvaluationRun and StageProgress
    final List<Attack> attacks;
    final List<InputAttack> executables;
    final List<Map<String, String>> settings;
    final ThreatModel threatModel;
    final AttackAccounting accounting;
    final int batchSize;
    final long seed;
    final Progress progress;
    final long progressIntervalNanos;
    final boolean sanityChecks;
    final EvaluationState.Store store;

    private RobustnessEvaluator(Builder builder) {
        this.attacks = List.copyOf(builder.attacks);
        this.threatModel = attacks.get(0).threatModel();
        List<InputAttack> bound = new ArrayList<>();
        List<Map<String, String>> described = new ArrayList<>();
        for (int i = 0; i < attacks.size(); i++) {
            Attack attack = attacks.get(i);
            checkArgument(
                    attack.threatModel().equals(threatModel),
                    "attacks[%s].threatModel must equal attacks[0].threatModel (%s): a worst case"
                            + " over different threat models means nothing, but was %s",
                    i,
                    threatModel,
                    attack.threatModel());
            BatchNormMode mode = attack.batchNormMode();
            checkArgument(
                    mode != BatchNormMode.TRAIN,
                    "attacks[%s].batchNormMode must be EVAL for an evaluation (TRAIN would use"
                            + " batch statistics and change the running statistics) but was %s",
                    i,
                    mode);
            bound.add(InputAttacks.bind(attack));
            described.add(AttackSettings.of(attack, "attacks[" + i + "]"));
        }
        this.executables = List.copyOf(bound);
        this.settings = List.copyOf(described);
        this.accounting = builder.accounting;
        this.batchSize = builder.batchSize;
        this.seed = builder.seed;
        this.progress = builder.progress;
        this.progressIntervalNanos = builder.progressInterval.toNanos();
        this.sanityChecks = builder.sanityChecks;
        this.store = builder.store;
    }

    /**
     * Starts a builder.
     *
     * @return a new builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The default cascade, cheapest first: {@link Attacks#fgsm()}, {@link Attacks#pgd20()}, {@link
     * Attacks#pgd(int) PGD-100}, {@link Attacks#cwInf()}, {@link Attacks#apgdCe()} and {@link
     * Attacks#apgdT()}, all L∞ 8/255 on inputs in [0, 1]. APGD-T needs at least 4 classes: on
     * models with fewer, pass a list without it.
     *
     * @return the attacks, an unmodifiable list
     */
    public static List<Attack> defaultAttacks() {
        return List.of(
                Attacks.fgsm(),
                Attacks.pgd20(),
                Attacks.pgd(100),
                Attacks.cwInf(),
                Attacks.apgdCe(),
                Attacks.apgdT());
    }

    /**
     * The attacks, in the order they run.
     *
     * @return an unmodifiable list
     */
    public List<Attack> attacks() {
        return attacks;
    }

    /**
     * The batch size.
     *
     * @return at least 1
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The seed the attacks are re-seeded from.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * Which examples each attack runs on.
     *
     * @return the accounting
     */
    public AttackAccounting accounting() {
        return accounting;
    }

    /**
     * Evaluates a block on a whole dataset.
     *
     * @param block the initialized block; run in inference mode, never modified
     * @param dataset the dataset, inputs within the threat model's bounds
     * @return the report
     * @throws IllegalArgumentException if a sanity check fails (see the class documentation)
     */
    public RobustnessReport evaluate(Block block, ClassificationData dataset) {
        return evaluate(AttackTarget.of(requireNonNull(block, "block")), dataset);
    }

    /**
     * Evaluates a block on a seeded random subset of a dataset ({@link
     * ClassificationData#subset(int, long)}).
     *
     * @param block the initialized block; run in inference mode, never modified
     * @param dataset the dataset, inputs within the threat model's bounds
     * @param subsetSize the number of examples, in {@code [1, dataset.size()]}
     * @param subsetSeed the seed that draws them (recorded in the report)
     * @return the report
     * @throws IllegalArgumentException if the size is out of range or a sanity check fails
     */
    public RobustnessReport evaluate(
            Block block, ClassificationData dataset, int subsetSize, long subsetSeed) {
        return evaluate(
                AttackTarget.of(requireNonNull(block, "block")), dataset, subsetSize, subsetSeed);
    }

    /**
     * Evaluates a model, given as an attack target (for example {@link AttackTarget#of(
     * ai.djl.training.Trainer)} during training), on a whole dataset.
     *
     * @param target the model; run in inference mode
     * @param dataset the dataset, inputs within the threat model's bounds
     * @return the report
     * @throws IllegalArgumentException if a sanity check fails
     */
    public RobustnessReport evaluate(AttackTarget target, ClassificationData dataset) {
        requireNonNull(target, "target");
        requireNonNull(dataset, "dataset");
        return new EvaluationRun(this, target, dataset, Optional.empty()).execute();
    }

    /**
     * Evaluates a model, given as an attack target, on a seeded random subset of a dataset.
     *
     * @param target the model; run in inference mode
     * @param dataset the dataset, inputs within the threat model's bounds
     * @param subsetSize the number of examples, in {@code [1, dataset.size()]}
     * @param subsetSeed the seed that draws them (recorded in the report)
     * @return the report
     * @throws IllegalArgumentException if the size is out of range or a sanity check fails
     */
    public RobustnessReport evaluate(
            AttackTarget target, ClassificationData dataset, int subsetSize, long subsetSeed) {
        requireNonNull(target, "target");
        requireNonNull(dataset, "dataset");
        return new EvaluationRun(
                        this,
                        target,
                        dataset.subset(subsetSize, subsetSeed),
                        Optional.of(subsetSeed))
                .execute();
    }

    /**
     * Evaluates some consecutive batches of a larger evaluation, for evaluations split over
     * processes or machines (awp-spark): {@code examples} are the examples of batches {@code
     * firstBatch}, {@code firstBatch + 1}, … of the whole evaluation, in order, so that they start
     * at example {@code firstBatch * batchSize} and hold whole batches (only the evaluation's last
     * part may end with a smaller batch). Every batch is evaluated exactly as {@link
     * #evaluate(AttackTarget, ClassificationData)} evaluates the batch of the same global index —
     * the same examples, the attacks re-seeded from {@code (seed, global batch index, attack
     * index)}, the first-batch checks only on batch 0 — so that {@link #merge} of the parts gives
     * the report of one evaluation of all examples, whatever the split. The state file ({@link
     * Builder#optStatePath(Path)}) is not used: the caller keeps the parts.
     *
     * <p>The attacks draw from the engine's generator, which is shared by the whole process: two
     * evaluations running at once in one process (two threads) interleave their draws and lose
     * reproducibility. Run one at a time per process.
     *
     * @param target the model; run in inference mode
     * @param examples the examples of the batches, in order, within the threat model's bounds
     * @param firstBatch the global index of the first batch, from 0
     * @return the per-example results
     * @throws IllegalArgumentException if {@code firstBatch < 0} or a sanity check fails
     */
    public EvaluationPart evaluatePart(
            AttackTarget target, ClassificationData examples, int firstBatch) {
        requireNonNull(target, "target");
        requireNonNull(examples, "examples");
        checkArgument(firstBatch >= 0, "firstBatch must be >= 0 but was %s", firstBatch);
        ExampleLog.Recording recording = ExampleLog.recording(attacks.size());
        return new EvaluationRun(
                        this,
                        target,
                        examples,
                        Optional.empty(),
                        firstBatch,
                        EvaluationState.Store.NONE,
                        recording)
                .part(recording);
    }

    /**
     * What identifies an evaluation of this evaluator on a model and a dataset: the dataset's name
     * and size, the seed, the batch size, the accounting, the threat model, every attack's settings
     * and the model's fingerprint (sums of its parameters and statistics), as JSON. Two evaluations
     * with the same key give the same results; a store of parts can use it to refuse parts of
     * another evaluation.
     *
     * @param target the model
     * @param dataset the name of the whole dataset, as in the report
     * @param examples the number of examples of the whole evaluation
     * @return the key, compact JSON
     */
    public String configurationKey(AttackTarget target, String dataset, int examples) {
        requireNonNull(target, "target");
        requireNonNull(dataset, "dataset");
        return EvaluationRun.stateKey(
                        this, dataset, examples, Optional.empty(), Fingerprint.of(target.block()))
                .toString();
    }

    /**
     * Combines the parts of an evaluation ({@link #evaluatePart}) into its report: the counts,
     * accuracies, intervals and {@code brokenBy} codes are those of {@link #evaluate(AttackTarget,
     * ClassificationData)} on all examples, since every one of them is a sum over examples; the
     * queries and times are the sums over the parts, the environment is the first part's, the
     * warnings are all parts' without repetitions.
     *
     * @param dataset the name of the whole dataset, as in the report
     * @param parts the parts, in any order, that together hold every batch exactly once
     * @return the report
     * @throws IllegalArgumentException if the parts are empty, have another batch size or number of
     *     attacks, leave a gap or overlap, or hold a smaller batch before the last
     */
    public RobustnessReport merge(String dataset, List<EvaluationPart> parts) {
        requireNonNull(dataset, "dataset");
        requireNonNull(parts, "parts");
        checkArgument(!parts.isEmpty(), "parts must not be empty but was %s", parts);
        return PartMerge.merge(this, dataset, parts);
    }

    /** Configures a {@link RobustnessEvaluator}; every setting is optional. */
    public static final class Builder {
        private List<Attack> attacks = defaultAttacks();
        private AttackAccounting accounting = AttackAccounting.CASCADE;
        private int batchSize = 128;
        private long seed;
        private Progress progress = new ProgressBar();
        private Duration progressInterval = Duration.ofSeconds(1);
        private boolean sanityChecks = true;
        private EvaluationState.Store store = EvaluationState.Store.NONE;

        private Builder() {}

        /**
         * Sets the attacks, in the order they run (cheapest first pays off with {@link
         * AttackAccounting#CASCADE}). Built-in specifications ({@link PgdAttack}, {@link
         * FgsmAttack}, {@link ApgdAttack}, {@link dev.awp.attack.FabAttack}, {@link
         * dev.awp.attack.SquareAttack}) and custom {@link InputAttack}s are accepted; all must
         * share one threat model. Default: {@link #defaultAttacks()}; AutoAttack's standard
         * version: {@link Attacks#autoAttack(ThreatModel)}.
         *
         * @param attacks the attacks, at least one
         * @return this builder
         * @throws NullPointerException if the list or an attack is null
         * @throws IllegalArgumentException if the list is empty
         */
        public Builder optAttacks(List<? extends Attack> attacks) {
            requireNonNull(attacks, "attacks");
            checkArgument(!attacks.isEmpty(), "attacks must not be empty but was %s", attacks);
            for (int i = 0; i < attacks.size(); i++) {
                requireNonNull(attacks.get(i), "attacks[" + i + "]");
            }
            this.attacks = List.copyOf(attacks);
            return this;
        }

        /**
         * Sets which examples each attack runs on. Default: {@link AttackAccounting#CASCADE}.
         *
         * @param accounting the accounting
         * @return this builder
         * @throws NullPointerException if {@code accounting} is null
         */
        public Builder optAccounting(AttackAccounting accounting) {
            this.accounting = requireNonNull(accounting, "accounting");
            return this;
        }

        /**
         * Sets the batch size. Default: 128.
         *
         * @param batchSize the batch size, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code batchSize < 1}
         */
        public Builder optBatchSize(int batchSize) {
            checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets the seed of the attacks' random starts. Default: 0.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets where progress goes: 100 units per stage (the clean pass of a batch, or one attack
         * on a batch), reached at the stage's end with the running accuracy as the message; in
         * between, a running attack moves through its stage by the share of its query budget spent
         * and says how far it is ({@link #optProgressInterval(Duration)}). Default: a DJL {@link
         * ProgressBar} on standard output.
         *
         * @param progress the progress
         * @return this builder
         * @throws NullPointerException if {@code progress} is null
         */
        public Builder optProgress(Progress progress) {
            this.progress = requireNonNull(progress, "progress");
            return this;
        }

        /**
         * Sets how often a running attack updates the progress message between its steps: the
         * examples in its latest forward pass (for Square, those still searched) and the queries
         * per example so far, so that a stage running for minutes shows that it moves. Default: 1
         * second.
         *
         * @param interval the least time between two such updates, not negative
         * @return this builder
         * @throws NullPointerException if {@code interval} is null
         * @throws IllegalArgumentException if {@code interval} is negative
         */
        public Builder optProgressInterval(Duration interval) {
            requireNonNull(interval, "interval");
            checkArgument(
                    !interval.isNegative(), "interval must not be negative but was %s", interval);
            this.progressInterval = interval;
            return this;
        }

        /**
         * Turns progress output off.
         *
         * @return this builder
         */
        public Builder optNoProgress() {
            this.progress = NoProgress.INSTANCE;
            return this;
        }

        /**
         * Turns the warning checks of the first batch (zero gradients, randomized outputs,
         * probabilities as outputs) on or off; the errors (bounds, class counts, threat model) are
         * always checked. Default: on.
         *
         * @param sanityChecks whether to run them
         * @return this builder
         */
        public Builder optSanityChecks(boolean sanityChecks) {
            this.sanityChecks = sanityChecks;
            return this;
        }

        /**
         * Makes the evaluation resumable: after every stage (the clean pass of a batch, or one
         * attack on a batch) its state is written to this file, atomically (to a sibling file
         * first, then moved over it); an evaluation started with a state file of the same
         * evaluation continues after its last completed stage, and gives the report an
         * uninterrupted run gives (apart from the times, which add up over the sessions). A
         * finished state gives its report again without attacking. A state of another evaluation
         * (another model, dataset, subset, seed, batch size, accounting or attack) is refused.
         * Default: none (nothing is written).
         *
         * <pre>{@code
         * RobustnessEvaluator evaluator = RobustnessEvaluator.builder()
         *         .optAttacks(Attacks.autoAttack(ThreatModel.linf(8 / 255.0)))
         *         .optStatePath(Path.of("autoattack-state.json"))
         *         .build();
         * }</pre>
         *
         * @param statePath the state file; its directory is created if needed
         * @return this builder
         * @throws NullPointerException if {@code statePath} is null
         */
        public Builder optStatePath(Path statePath) {
            this.store = EvaluationState.Store.at(requireNonNull(statePath, "statePath"));
            return this;
        }

        /**
         * Builds the evaluator.
         *
         * @return the evaluator
         * @throws IllegalArgumentException if the attacks do not share one threat model, if a
         *     built-in attack runs BatchNorm in training mode, if an attack cannot be executed, or
         *     if an attack's {@link Attack#parameters()} use a key the report writes itself ({@code
         *     type}, {@code norm}, {@code epsilon}, {@code batchNormMode}) or hold a null
         */
        public RobustnessEvaluator build() {
            return new RobustnessEvaluator(this);
        }
    }
}
