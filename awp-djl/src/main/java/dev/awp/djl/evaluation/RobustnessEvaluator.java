package dev.awp.djl.evaluation;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.dataset.Batch;
import ai.djl.training.util.ProgressBar;
import ai.djl.util.Progress;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
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
import dev.awp.djl.internal.Environment;
import dev.awp.djl.internal.Scopes;
import dev.awp.djl.internal.Seeds;
import dev.awp.report.Accuracy;
import dev.awp.report.AttackAccounting;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p><b>Determinism.</b> Before each attack on each batch the engine's random generator is
 * re-seeded from {@code (seed, batch index, attack index)} ({@code Engine.setRandomSeed}, which
 * also changes the generator other code sees). The same model, data, batch size, attacks and seed
 * give the same report, apart from the times.
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

    private static final Logger LOGGER = LoggerFactory.getLogger(RobustnessEvaluator.class);

    /**
     * Progress units per stage (the clean pass of a batch, or one attack on a batch): a running
     * attack moves within its stage's units, so that a bar that redraws only when its percentage
     * changes (DJL's {@link ProgressBar}) moves during a long stage.
     */
    static final long UNITS_PER_STAGE = 100;

    private final List<Attack> attacks;
    private final List<InputAttack> executables;
    private final List<Map<String, String>> settings;
    private final ThreatModel threatModel;
    private final AttackAccounting accounting;
    private final int batchSize;
    private final long seed;
    private final Progress progress;
    private final long progressIntervalNanos;
    private final boolean sanityChecks;
    private final Path statePath;

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
        this.statePath = builder.statePath;
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
        return run(target, dataset, Optional.empty());
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
        return run(target, dataset.subset(subsetSize, subsetSeed), Optional.of(subsetSeed));
    }

    private RobustnessReport run(
            AttackTarget target, ClassificationData dataset, Optional<Long> subsetSeed) {
        long started = System.nanoTime();
        NDArray anchor = firstParameter(target.block());
        Device device = anchor.getDevice();
        Engine engine = anchor.getManager().getEngine();
        Fingerprint before = Fingerprint.of(target.block());
        int attackCount = attacks.size();
        int batches = (dataset.size() + batchSize - 1) / batchSize;
        JsonObject key = stateKey(dataset, subsetSeed, before);
        EvaluationState state =
                statePath == null ? null : EvaluationState.read(statePath, key, attackCount);
        if (state == null) {
            state = new EvaluationState(key, attackCount);
        } else {
            LOGGER.info(
                    "Robustness evaluation of {}: continuing from {} at batch {} of {}, stage {}",
                    dataset.name(),
                    statePath,
                    state.batch + 1,
                    batches,
                    state.stagesDone);
        }
        long priorNanos = state.elapsedNanos;
        long steps = (long) state.batch * (1 + attackCount) + state.stagesDone;
        if (progress != null) {
            long stages = (long) batches * (1 + attackCount);
            progress.reset("Robustness of " + dataset.name(), stages * UNITS_PER_STAGE);
            progress.start(Math.min(steps, stages) * UNITS_PER_STAGE);
        }
        try (NDManager manager = anchor.getManager().newSubManager(device)) {
            int batchIndex = 0;
            for (Batch batch : dataset.evaluationBatches(manager, batchSize)) {
                try (batch) {
                    if (batchIndex < state.batch) {
                        batchIndex++;
                        continue;
                    }
                    NDArray x = batch.getData().head();
                    // labels of any numeric type, as int64 class indices for the host reads
                    NDArray y = batch.getLabels().head().toType(DataType.INT64, false);
                    int size = Math.toIntExact(x.getShape().get(0));
                    if (state.stagesDone == 0) {
                        SanityChecks.checkBounds(x, threatModel, batchIndex);
                        boolean[] correct;
                        try (NDManager scope = batch.getManager().newSubManager()) {
                            Scopes.borrow(scope, x, y);
                            NDArray logits = target.logits(x, BatchNormMode.EVAL);
                            if (batchIndex == 0) {
                                checkClasses(logits, dataset);
                                if (sanityChecks) {
                                    state.warnings.addAll(
                                            SanityChecks.firstBatch(target, x, y, logits));
                                }
                            }
                            correct = equal(logits.argMax(1).toLongArray(), y.toLongArray());
                        }
                        for (boolean c : correct) {
                            state.codes.add(
                                    c ? RobustnessReport.ROBUST : RobustnessReport.CLEAN_ERROR);
                        }
                        state.clean += count(correct);
                        state.total += size;
                        state.stagesDone = 1;
                        save(state, priorNanos, started);
                        report(++steps, "clean", state.clean, state.total);
                    }
                    int offset = state.codes.size() - size;
                    for (int k = state.stagesDone - 1; k < attackCount; k++) {
                        long attackStarted = System.nanoTime();
                        boolean[] eligible = new boolean[size];
                        for (int i = 0; i < size; i++) {
                            int code = state.codes.get(offset + i);
                            eligible[i] =
                                    accounting == AttackAccounting.CASCADE
                                            ? code == RobustnessReport.ROBUST
                                            : code != RobustnessReport.CLEAN_ERROR;
                        }
                        long[] index = indices(eligible);
                        if (index.length > 0) {
                            engine.setRandomSeed(attackSeed(seed, batchIndex, k));
                            long[] queries = new long[1];
                            StageProgress within =
                                    new StageProgress(
                                            steps,
                                            attacks.get(k),
                                            batchIndex + 1,
                                            batches,
                                            index.length);
                            boolean[] survived =
                                    attack(
                                            k,
                                            target.counting(
                                                    n -> {
                                                        queries[0] += n;
                                                        within.pass(n, queries[0]);
                                                    }),
                                            target,
                                            x,
                                            y,
                                            index);
                            state.attacked[k] += index.length;
                            state.queries[k] += queries[0];
                            for (int j = 0; j < index.length; j++) {
                                int at = offset + (int) index[j];
                                if (survived[j]) {
                                    state.survived[k]++;
                                } else if (state.codes.get(at) == RobustnessReport.ROBUST) {
                                    state.codes.set(at, k);
                                }
                            }
                        }
                        int robust = 0;
                        for (int i = 0; i < size; i++) {
                            robust +=
                                    state.codes.get(offset + i) == RobustnessReport.ROBUST ? 1 : 0;
                        }
                        state.cumulative[k] += robust;
                        state.nanos[k] += System.nanoTime() - attackStarted;
                        state.stagesDone = k + 2;
                        if (k == attackCount - 1) {
                            state.batch = batchIndex + 1;
                            state.stagesDone = 0;
                        }
                        save(state, priorNanos, started);
                        report(++steps, attacks.get(k).name(), state.cumulative[k], state.total);
                    }
                    if (attackCount == 0) {
                        state.batch = batchIndex + 1;
                        state.stagesDone = 0;
                        save(state, priorNanos, started);
                    }
                }
                batchIndex++;
            }
        } finally {
            if (progress != null) {
                progress.end();
            }
        }
        List<String> warnings = new ArrayList<>(state.warnings);
        if (!before.equals(Fingerprint.of(target.block()))) {
            warnings.add(
                    "the model's parameters or BatchNorm running statistics changed during the"
                            + " evaluation: an attack ran the model in training mode or modified"
                            + " it; the numbers describe a moving model");
        }
        for (String warning : warnings) {
            LOGGER.warn("Robustness evaluation of {}: {}", dataset.name(), warning);
        }
        state.elapsedNanos = priorNanos + (System.nanoTime() - started);
        return buildReport(dataset, subsetSeed, state, warnings, engine, device);
    }

    /** Writes the state, when the evaluation has a state path, with the time spent so far. */
    private void save(EvaluationState state, long priorNanos, long started) {
        if (statePath != null) {
            state.elapsedNanos = priorNanos + (System.nanoTime() - started);
            state.write(statePath);
        }
    }

    /** What identifies this evaluation in a state file: a state of another one is refused. */
    private JsonObject stateKey(
            ClassificationData dataset, Optional<Long> subsetSeed, Fingerprint model) {
        JsonObject key = new JsonObject();
        key.addProperty("dataset", dataset.name());
        key.addProperty("examples", dataset.size());
        subsetSeed.ifPresent(value -> key.addProperty("subsetSeed", value));
        key.addProperty("seed", seed);
        key.addProperty("batchSize", batchSize);
        key.addProperty("accounting", accounting.name());
        key.addProperty("threatModel", threatModel.toString());
        JsonArray described = new JsonArray();
        for (int k = 0; k < attacks.size(); k++) {
            JsonObject attack = new JsonObject();
            attack.addProperty("name", attacks.get(k).name());
            settings.get(k).forEach(attack::addProperty);
            described.add(attack);
        }
        key.add("attacks", described);
        JsonArray fingerprint = new JsonArray();
        for (double value : model.values()) {
            fingerprint.add(value);
        }
        key.add("model", fingerprint);
        return key;
    }

    /**
     * Runs attack {@code k} on the rows {@code index} through {@code attacking} (which counts the
     * queries) and says which survived, predicting through {@code target}.
     */
    private boolean[] attack(
            int k,
            AttackTarget attacking,
            AttackTarget target,
            NDArray x,
            NDArray y,
            long[] index) {
        try (NDManager scope = x.getManager().newSubManager()) {
            Scopes.borrow(scope, x, y);
            NDIndex rows = new NDIndex("{}", scope.create(index));
            NDArray xs = x.get(rows);
            NDArray ys = y.get(rows);
            NDArray adv = executables.get(k).generate(attacking, xs, ys);
            SanityChecks.checkThreatModel(attacks.get(k), xs, adv);
            long[] predicted = target.logits(adv, BatchNormMode.EVAL).argMax(1).toLongArray();
            return equal(predicted, ys.toLongArray());
        }
    }

    private void checkClasses(NDArray logits, ClassificationData dataset) {
        long outputs = logits.getShape().get(1);
        checkArgument(
                logits.getShape().dimension() == 2 && outputs >= dataset.numClasses(),
                "the model's number of outputs must be >= the dataset's number of classes (%s) but"
                        + " was %s (output shape %s)",
                dataset.numClasses(),
                outputs,
                logits.getShape());
        for (Attack attack : attacks) {
            attack.checkNumClasses(Math.toIntExact(outputs));
        }
    }

    private RobustnessReport buildReport(
            ClassificationData dataset,
            Optional<Long> subsetSeed,
            EvaluationState state,
            List<String> warnings,
            Engine engine,
            Device device) {
        int n = state.total;
        RobustnessReport.Builder report =
                RobustnessReport.builder()
                        .dataset(dataset.name())
                        .examples(n)
                        .subsetSeed(subsetSeed)
                        .seed(seed)
                        .batchSize(batchSize)
                        .threatModel(threatModel)
                        .accounting(accounting)
                        .cleanAccuracy(Accuracy.of(state.clean, n))
                        .environment(Environment.describe(engine, device))
                        .warnings(warnings)
                        .brokenBy(state.codes);
        for (int k = 0; k < attacks.size(); k++) {
            Attack attack = attacks.get(k);
            AttackResult.Builder result =
                    AttackResult.builder()
                            .name(attack.name())
                            .parameters(settings.get(k))
                            .attacked(state.attacked[k])
                            .survived(state.survived[k])
                            .cumulativeAccuracy(Accuracy.of(state.cumulative[k], n))
                            .queries(state.queries[k])
                            .elapsedSeconds(state.nanos[k] / 1e9);
            if (accounting == AttackAccounting.INDEPENDENT) {
                result.ownAccuracy(Accuracy.of(state.survived[k], n));
            }
            report.addAttack(result.build());
        }
        return report.elapsedSeconds(state.elapsedNanos / 1e9).build();
    }

    /**
     * Progress inside one attack on one batch, for stages that run for minutes (Square's 5,000
     * queries, FAB-T's 9 targets): at most once per {@code progressInterval}, the number of
     * examples in the latest forward pass (for Square, those still searched) and the queries so
     * far; the position moves through the stage's units by the share of the attack's query budget
     * spent, where the budget is known.
     */
    private final class StageProgress {
        private final long step;
        private final String attack;
        private final double budget;
        private final int batch;
        private final int batches;
        private final int attacked;
        private long last = System.nanoTime();

        StageProgress(long step, Attack attack, int batch, int batches, int attacked) {
            this.step = step;
            this.attack = attack.name();
            this.budget = attack.queryBudget().orElse(0);
            this.batch = batch;
            this.batches = batches;
            this.attacked = attacked;
        }

        void pass(long examples, long queries) {
            if (progress == null) {
                return;
            }
            long now = System.nanoTime();
            if (now - last < progressIntervalNanos) {
                return;
            }
            last = now;
            double perExample = (double) queries / attacked;
            long within =
                    budget > 0
                            ? Math.min(
                                    UNITS_PER_STAGE - 1,
                                    (long) (UNITS_PER_STAGE * perExample / budget))
                            : 0;
            progress.update(
                    step * UNITS_PER_STAGE + within,
                    String.format(
                            Locale.ROOT,
                            "%s, batch %d of %d: %d of %d examples in the last pass, queries so"
                                    + " far: %.0f per example",
                            attack,
                            batch,
                            batches,
                            examples,
                            attacked,
                            perExample));
        }
    }

    private void report(long step, String stage, int correct, int total) {
        if (progress != null) {
            progress.update(
                    step * UNITS_PER_STAGE,
                    String.format(
                            Locale.ROOT, "%s %.1f%% of %d", stage, 100.0 * correct / total, total));
        }
    }

    private static NDArray firstParameter(Block block) {
        for (Parameter parameter : block.getParameters().values()) {
            if (parameter.isInitialized()) {
                return parameter.getArray();
            }
        }
        throw new IllegalArgumentException(
                "block must be initialized (have initialized parameters) but had none: call"
                        + " model.newTrainer(..).initialize(shape) or block.initialize(..) first");
    }

    /** A seed for the engine's generator from (seed, batch, attack), mixed by SplitMix64. */
    static int attackSeed(long seed, int batch, int attack) {
        long z = seed;
        z = Seeds.mix64(z + Seeds.GOLDEN_GAMMA * (batch + 1L));
        z = Seeds.mix64(z + Seeds.GOLDEN_GAMMA * (attack + 1L));
        return Seeds.toInt(z);
    }

    private static boolean[] equal(long[] predicted, long[] labels) {
        boolean[] equal = new boolean[predicted.length];
        for (int i = 0; i < predicted.length; i++) {
            equal[i] = predicted[i] == labels[i];
        }
        return equal;
    }

    private static int count(boolean[] values) {
        int count = 0;
        for (boolean value : values) {
            count += value ? 1 : 0;
        }
        return count;
    }

    private static long[] indices(boolean[] mask) {
        long[] index = new long[count(mask)];
        int next = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                index[next++] = i;
            }
        }
        return index;
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
        private Path statePath;

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
            this.progress = null;
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
            this.statePath = requireNonNull(statePath, "statePath");
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
