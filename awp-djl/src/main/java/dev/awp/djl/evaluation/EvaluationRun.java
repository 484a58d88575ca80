package dev.awp.djl.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Progress;
import com.google.common.math.IntMath;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.awp.attack.Attack;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.ExampleKeys;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.internal.Environment;
import dev.awp.djl.internal.Scopes;
import dev.awp.djl.internal.Seeds;
import dev.awp.djl.internal.SplitMix64;
import dev.awp.report.Accuracy;
import dev.awp.report.RobustnessReport;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link RobustnessEvaluator} on one model and dataset: the protocol of its class
 * documentation, batch by batch and stage by stage (the clean pass, then each attack), from the
 * stored state onwards, with the state written after every stage.
 */
final class EvaluationRun {

    private static final Logger LOGGER = LoggerFactory.getLogger(RobustnessEvaluator.class);

    private final RobustnessEvaluator evaluator;
    private final AttackTarget target;
    private final ClassificationData dataset;
    private final Optional<Long> subsetSeed;

    /** The path key of the attacks' per-example streams ({@link #keySeed}). */
    private static final long KEY_STREAM = 0x6b657973L;

    private final int firstBatch;
    private final EvaluationState.Store store;
    private final ExampleLog log;
    private final int batches;
    private final Engine engine;
    private final Device device;
    private final NDManager parent;
    private final Fingerprint before;
    private final EvaluationState state;
    private final long started = System.nanoTime();
    private final long priorNanos;

    EvaluationRun(
            RobustnessEvaluator evaluator,
            AttackTarget target,
            ClassificationData dataset,
            Optional<Long> subsetSeed) {
        this(evaluator, target, dataset, subsetSeed, 0, evaluator.store, ExampleLog.NONE);
    }

    /**
     * A run whose batch {@code i} is batch {@code firstBatch + i} of a larger evaluation (seeds and
     * first-batch checks follow the global index), its state kept in {@code store}, its examples
     * told to {@code log}.
     */
    EvaluationRun(
            RobustnessEvaluator evaluator,
            AttackTarget target,
            ClassificationData dataset,
            Optional<Long> subsetSeed,
            int firstBatch,
            EvaluationState.Store store,
            ExampleLog log) {
        this.evaluator = evaluator;
        this.target = target;
        this.dataset = dataset;
        this.subsetSeed = subsetSeed;
        this.firstBatch = firstBatch;
        this.store = store;
        this.log = log;
        this.batches = IntMath.divide(dataset.size(), evaluator.batchSize, RoundingMode.CEILING);
        NDArray anchor = firstParameter(target);
        this.engine = anchor.getManager().getEngine();
        this.device = anchor.getDevice();
        this.parent = anchor.getManager();
        this.before = Fingerprint.of(target.block());
        this.state =
                store.read(
                        stateKey(evaluator, dataset.name(), dataset.size(), subsetSeed, before),
                        evaluator.attacks.size());
        this.priorNanos = state.elapsedNanos;
        if (state.stagesCompleted() > 0) {
            LOGGER.info(
                    "Robustness evaluation of {}: continuing from {} at {}",
                    dataset.name(),
                    store,
                    state.position(batches));
        }
    }

    /** Runs every stage not done yet and reports. */
    RobustnessReport execute() {
        run();
        return report();
    }

    /** Runs every stage and returns the per-example results of this run's batches. */
    EvaluationPart part(ExampleLog.Recording recording) {
        run();
        List<String> warnings = warnings();
        int n = state.total();
        int[] labels = new int[n];
        int[] predictions = new int[n];
        int[] codes = new int[n];
        byte[][] verdicts = new byte[evaluator.attacks.size()][n];
        long[][] exampleQueries = new long[evaluator.attacks.size()][n];
        for (int i = 0; i < n; i++) {
            labels[i] = recording.labels.get(i);
            predictions[i] = recording.predictions.get(i);
            codes[i] = state.codes.get(i);
            for (int k = 0; k < verdicts.length; k++) {
                verdicts[k][i] = recording.verdicts.get(k).get(i);
                exampleQueries[k][i] = recording.queries.get(k).get(i);
            }
        }
        return new EvaluationPart(
                firstBatch,
                evaluator.batchSize,
                labels,
                predictions,
                codes,
                verdicts,
                exampleQueries,
                state.queries.clone(),
                state.nanos.clone(),
                warnings,
                Environment.describe(engine, device),
                System.nanoTime() - started);
    }

    private void run() {
        long stages = (long) batches * (1 + evaluator.attacks.size());
        Progress progress = evaluator.progress;
        progress.reset(
                "Robustness of " + dataset.name(), stages * RobustnessEvaluator.UNITS_PER_STAGE);
        progress.start(
                Math.min(state.stagesCompleted(), stages) * RobustnessEvaluator.UNITS_PER_STAGE);
        try (NDManager manager = parent.newSubManager(device)) {
            int index = 0;
            for (Batch batch : dataset.evaluationBatches(manager, evaluator.batchSize)) {
                try (batch) {
                    if (index >= state.batch()) {
                        evaluateBatch(batch, index);
                    }
                }
                index++;
            }
        } finally {
            progress.end();
        }
    }

    /** The clean pass (unless done), then every attack not done yet, each stage saved. */
    private void evaluateBatch(Batch batch, int index) {
        NDArray x = batch.getData().head();
        // labels of any numeric type, as int64 class indices for the host reads
        NDArray y = batch.getLabels().head().toType(DataType.INT64, false);
        if (state.cleanPending()) {
            state.recordClean(cleanPass(batch.getManager(), x, y, index));
            save();
            progressAt("clean", state.clean());
        }
        for (int k = state.nextAttack(); k < evaluator.attacks.size(); k++) {
            attackStage(k, x, y, index);
            save();
            progressAt(evaluator.attacks.get(k).name(), state.cumulative[k]);
        }
    }

    /** Which examples of the batch the model classifies correctly; the checks of a batch. */
    private boolean[] cleanPass(NDManager batchManager, NDArray x, NDArray y, int local) {
        int index = firstBatch + local;
        SanityChecks.checkBounds(x, evaluator.threatModel, index);
        try (NDManager scope = batchManager.newSubManager()) {
            Scopes.borrow(scope, x, y);
            NDArray logits = target.logits(x, BatchNormMode.EVAL);
            if (index == 0) {
                checkClasses(logits);
                if (evaluator.sanityChecks) {
                    state.warnings.addAll(SanityChecks.firstBatch(target, x, y, logits));
                }
            }
            long[] predicted = logits.argMax(1).toLongArray();
            long[] labels = y.toLongArray();
            log.clean(predicted, labels);
            return equal(predicted, labels);
        }
    }

    /**
     * Attack {@code k} on the eligible examples of the batch, its queries counted. Built-in attacks
     * draw per example ({@link ExampleKeys#of}: the seed of attack {@code k} and the example's
     * index in the evaluation); the engine's generator is also re-seeded from (seed, batch, attack)
     * for custom attacks that draw from it.
     */
    private void attackStage(int k, NDArray x, NDArray y, int index) {
        long attackStarted = System.nanoTime();
        int size = Math.toIntExact(x.getShape().get(0));
        long[] rows = indices(state.eligible(size, evaluator.accounting));
        long[] queries = new long[1];
        boolean[] survived = new boolean[0];
        long[] perExample = new long[0];
        if (rows.length > 0) {
            engine.setRandomSeed(attackSeed(evaluator.seed, firstBatch + index, k));
            StageProgress within =
                    new StageProgress(
                            evaluator,
                            state.stagesCompleted(),
                            evaluator.attacks.get(k),
                            index + 1,
                            batches,
                            rows.length);
            AttackTarget counting =
                    target.counting(
                            n -> {
                                queries[0] += n;
                                within.pass(n, queries[0]);
                            });
            ExampleKeys keys = keys(k, rows, firstExample(index));
            survived = attack(k, counting, x, y, rows, keys);
            perExample = keys.queries();
        }
        log.attack(k, size, rows, survived, perExample);
        state.recordAttack(k, size, rows, survived, queries[0], System.nanoTime() - attackStarted);
    }

    /**
     * Runs attack {@code k} on the rows {@code index} through {@code attacking} (which counts the
     * queries) and says which survived, predicting through the uncounted target.
     */
    /** The keys of attack {@code k} on the rows {@code index} of a batch (dataset indices). */
    private ExampleKeys keys(int k, long[] index, long firstExample) {
        long[] ids = new long[index.length];
        for (int i = 0; i < index.length; i++) {
            ids[i] = firstExample + index[i];
        }
        return ExampleKeys.of(keySeed(evaluator.seed, k), ids);
    }

    private boolean[] attack(
            int k, AttackTarget attacking, NDArray x, NDArray y, long[] index, ExampleKeys keys) {
        try (NDManager scope = x.getManager().newSubManager()) {
            Scopes.borrow(scope, x, y);
            NDIndex rows = new NDIndex("{}", scope.create(index));
            NDArray xs = x.get(rows);
            NDArray ys = y.get(rows);
            NDArray adv = evaluator.executables.get(k).generate(attacking, xs, ys, keys);
            SanityChecks.checkThreatModel(evaluator.attacks.get(k), xs, adv);
            long[] predicted = target.logits(adv, BatchNormMode.EVAL).argMax(1).toLongArray();
            return equal(predicted, ys.toLongArray());
        }
    }

    private void checkClasses(NDArray logits) {
        long outputs = logits.getShape().get(1);
        checkArgument(
                logits.getShape().dimension() == 2 && outputs >= dataset.numClasses(),
                "the model's number of outputs must be >= the dataset's number of classes (%s) but"
                        + " was %s (output shape %s)",
                dataset.numClasses(),
                outputs,
                logits.getShape());
        for (Attack attack : evaluator.attacks) {
            attack.checkNumClasses(Math.toIntExact(outputs));
        }
    }

    /** Writes the state with the time spent so far. */
    private void save() {
        state.elapsedNanos = priorNanos + (System.nanoTime() - started);
        store.write(state);
    }

    /** Moves the progress to the end of the stage just done, with its running accuracy. */
    private void progressAt(String stage, int correct) {
        int total = state.total();
        evaluator.progress.update(
                state.stagesCompleted() * RobustnessEvaluator.UNITS_PER_STAGE,
                String.format(
                        Locale.ROOT, "%s %.1f%% of %d", stage, 100.0 * correct / total, total));
    }

    /** What identifies an evaluation in a state file: a state of another one is refused. */
    static JsonObject stateKey(
            RobustnessEvaluator evaluator,
            String datasetName,
            int examples,
            Optional<Long> subsetSeed,
            Fingerprint model) {
        JsonObject key = new JsonObject();
        key.addProperty("dataset", datasetName);
        key.addProperty("examples", examples);
        subsetSeed.ifPresent(value -> key.addProperty("subsetSeed", value));
        key.addProperty("seed", evaluator.seed);
        // the draws are keyed by example (before 0.1.0 they were keyed by batch)
        key.addProperty("draws", "per-example");
        key.addProperty("batchSize", evaluator.batchSize);
        key.addProperty("accounting", evaluator.accounting.name());
        key.addProperty("threatModel", evaluator.threatModel.toString());
        JsonArray described = new JsonArray();
        for (int k = 0; k < evaluator.attacks.size(); k++) {
            JsonObject attack = new JsonObject();
            attack.addProperty("name", evaluator.attacks.get(k).name());
            evaluator.settings.get(k).forEach(attack::addProperty);
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

    /** The warnings so far and, if the model changed during the run, one saying so. */
    private List<String> warnings() {
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
        return warnings;
    }

    private RobustnessReport report() {
        List<String> warnings = warnings();
        state.elapsedNanos = priorNanos + (System.nanoTime() - started);
        return report(
                evaluator,
                dataset.name(),
                subsetSeed,
                state,
                Environment.describe(engine, device),
                warnings);
    }

    /** The report of an evaluation whose counts and codes are {@code state}. */
    static RobustnessReport report(
            RobustnessEvaluator evaluator,
            String datasetName,
            Optional<Long> subsetSeed,
            EvaluationState state,
            Map<String, String> environment,
            List<String> warnings) {
        int n = state.total();
        RobustnessReport.Builder report =
                RobustnessReport.builder()
                        .dataset(datasetName)
                        .examples(n)
                        .subsetSeed(subsetSeed)
                        .seed(evaluator.seed)
                        .batchSize(evaluator.batchSize)
                        .threatModel(evaluator.threatModel)
                        .accounting(evaluator.accounting)
                        .cleanAccuracy(Accuracy.of(state.clean(), n))
                        .environment(environment)
                        .warnings(warnings)
                        .brokenBy(state.codes);
        for (int k = 0; k < evaluator.attacks.size(); k++) {
            report.addAttack(
                    state.result(k, evaluator.accounting)
                            .name(evaluator.attacks.get(k).name())
                            .parameters(evaluator.settings.get(k))
                            .build());
        }
        return report.elapsedSeconds(state.elapsedNanos / 1e9).build();
    }

    private static NDArray firstParameter(AttackTarget target) {
        for (Parameter parameter : target.block().getParameters().values()) {
            if (parameter.isInitialized()) {
                return parameter.getArray();
            }
        }
        throw new IllegalArgumentException(
                "block must be initialized (have initialized parameters) but had none: call"
                        + " model.newTrainer(..).initialize(shape) or block.initialize(..) first");
    }

    /** The index in the whole evaluation of the first example of local batch {@code local}. */
    private long firstExample(int local) {
        return (long) (firstBatch + local) * evaluator.batchSize;
    }

    /** The seed of attack {@code k}'s per-example streams: {@code SplitMix64(seed, KEYS, k)}. */
    static long keySeed(long seed, int attack) {
        return SplitMix64.derive(seed, KEY_STREAM, attack).nextLong();
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

    private static long[] indices(boolean[] mask) {
        int count = 0;
        for (boolean value : mask) {
            count += value ? 1 : 0;
        }
        long[] index = new long[count];
        int next = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                index[next++] = i;
            }
        }
        return index;
    }
}
