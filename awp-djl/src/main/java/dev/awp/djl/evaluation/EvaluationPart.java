package dev.awp.djl.evaluation;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.math.IntMath;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.awp.report.RobustnessReport;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results of a run of consecutive batches of an evaluation, numbered from {@link
 * #firstBatch()}: what {@link RobustnessEvaluator#evaluatePart} returns and {@link
 * RobustnessEvaluator#merge} combines into the report of the whole evaluation. It holds, per
 * example in order, the label, the clean prediction, the {@link RobustnessReport#brokenBy()} code
 * and each attack's verdict ({@link #SURVIVED}, {@link #BROKEN} or {@link #NOT_ATTACKED}); per
 * attack, its queries and time on these batches; the warnings, the environment and the time spent.
 *
 * <p>{@link #toJson()} and {@link #fromJson(String)} write and read it losslessly (schema {@value
 * #SCHEMA}), so that parts computed elsewhere (on a Spark executor) can be stored and merged later.
 */
public final class EvaluationPart {

    /** The schema identifier written by {@link #toJson()}. */
    public static final String SCHEMA = "awp.evaluation-part/2";

    /** The {@link #verdict} of an example the attack did not run on. */
    public static final byte NOT_ATTACKED = -1;

    /** The {@link #verdict} of an example the attack broke (misclassified). */
    public static final byte BROKEN = 0;

    /** The {@link #verdict} of an example the attack ran on and did not break. */
    public static final byte SURVIVED = 1;

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final int firstBatch;
    private final int batchSize;
    private final int[] labels;
    private final int[] predictions;
    private final int[] brokenBy;
    private final byte[][] verdicts;
    private final long[][] exampleQueries;
    private final long[] queries;
    private final long[] nanos;
    private final List<String> warnings;
    private final Map<String, String> environment;
    private final long elapsedNanos;

    EvaluationPart(
            int firstBatch,
            int batchSize,
            int[] labels,
            int[] predictions,
            int[] brokenBy,
            byte[][] verdicts,
            long[][] exampleQueries,
            long[] queries,
            long[] nanos,
            List<String> warnings,
            Map<String, String> environment,
            long elapsedNanos) {
        checkArgument(firstBatch >= 0, "firstBatch must be >= 0 but was %s", firstBatch);
        checkArgument(labels.length > 0, "labels must not be empty but had 0 entries");
        checkArgument(
                predictions.length == labels.length && brokenBy.length == labels.length,
                "predictions and brokenBy must have one entry per label (%s) but had %s and %s",
                labels.length,
                predictions.length,
                brokenBy.length);
        checkArgument(
                queries.length == verdicts.length && nanos.length == verdicts.length,
                "queries and nanos must have one entry per attack (%s) but had %s and %s",
                verdicts.length,
                queries.length,
                nanos.length);
        checkArgument(
                exampleQueries.length == verdicts.length,
                "exampleQueries must have one entry per attack (%s) but had %s",
                verdicts.length,
                exampleQueries.length);
        for (int k = 0; k < verdicts.length; k++) {
            checkArgument(
                    verdicts[k].length == labels.length
                            && exampleQueries[k].length == labels.length,
                    "verdicts[%s] and exampleQueries[%s] must have one entry per label (%s) but had"
                            + " %s and %s",
                    k,
                    k,
                    labels.length,
                    verdicts[k].length,
                    exampleQueries[k].length);
        }
        this.firstBatch = firstBatch;
        this.batchSize = batchSize;
        this.labels = labels;
        this.predictions = predictions;
        this.brokenBy = brokenBy;
        this.verdicts = verdicts;
        this.exampleQueries = exampleQueries;
        this.queries = queries;
        this.nanos = nanos;
        this.warnings = List.copyOf(warnings);
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        this.elapsedNanos = elapsedNanos;
    }

    /**
     * The index of the part's first batch in the whole evaluation: its first example is example
     * {@code firstBatch() * batchSize()} of the evaluation.
     *
     * @return the batch index, from 0
     */
    public int firstBatch() {
        return firstBatch;
    }

    /**
     * The evaluation's batch size.
     *
     * @return the batch size
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The number of examples in the part.
     *
     * @return at least 1
     */
    public int size() {
        return labels.length;
    }

    /**
     * The number of batches in the part, the last one possibly smaller.
     *
     * @return {@code ceil(size() / batchSize())}
     */
    public int batches() {
        return IntMath.divide(labels.length, batchSize, RoundingMode.CEILING);
    }

    /**
     * The number of attacks.
     *
     * @return the count
     */
    public int attacks() {
        return verdicts.length;
    }

    /**
     * The label of example {@code i} of the part.
     *
     * @param i the example's position in the part
     * @return the class index
     */
    public int label(int i) {
        return labels[i];
    }

    /**
     * The class the model predicts for example {@code i} at its clean input.
     *
     * @param i the example's position in the part
     * @return the class index
     */
    public int cleanPrediction(int i) {
        return predictions[i];
    }

    /**
     * The {@link RobustnessReport#brokenBy()} code of example {@code i}.
     *
     * @param i the example's position in the part
     * @return the code
     */
    public int brokenBy(int i) {
        return brokenBy[i];
    }

    /**
     * What attack {@code k} did to example {@code i}.
     *
     * @param k the attack's index
     * @param i the example's position in the part
     * @return {@link #SURVIVED}, {@link #BROKEN} or {@link #NOT_ATTACKED}
     */
    public byte verdict(int k, int i) {
        return verdicts[k][i];
    }

    /**
     * The forward passes of the model attack {@code k} spent on example {@code i} of the part, as
     * the attack counted them ({@link dev.awp.djl.attack.AttackBatch#countQueries}): 0 when the
     * attack did not run on it, and for a custom attack that does not count. For the built-in
     * attacks the part's examples add up to {@link #queries(int)}.
     *
     * @param k the attack's index
     * @param i the example's position in the part
     * @return the count
     */
    public long queries(int k, int i) {
        return exampleQueries[k][i];
    }

    /**
     * The single-example forward passes attack {@code k} made on this part.
     *
     * @param k the attack's index
     * @return the count
     */
    public long queries(int k) {
        return queries[k];
    }

    /**
     * The time attack {@code k} ran on this part.
     *
     * @param k the attack's index
     * @return nanoseconds
     */
    public long nanos(int k) {
        return nanos[k];
    }

    /**
     * The warnings of the sanity checks (only the part holding batch 0 runs the first-batch
     * checks).
     *
     * @return an unmodifiable list
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The library and engine versions and the device the part ran on.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The time the part took.
     *
     * @return nanoseconds
     */
    public long elapsedNanos() {
        return elapsedNanos;
    }

    /**
     * Writes the part as JSON.
     *
     * @return the JSON text
     */
    public String toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("schema", SCHEMA);
        root.addProperty("firstBatch", firstBatch);
        root.addProperty("batchSize", batchSize);
        root.add("labels", GSON.toJsonTree(labels));
        root.add("cleanPredictions", GSON.toJsonTree(predictions));
        root.add("brokenBy", GSON.toJsonTree(brokenBy));
        root.add("verdicts", GSON.toJsonTree(verdicts));
        root.add("exampleQueries", GSON.toJsonTree(exampleQueries));
        root.add("queries", GSON.toJsonTree(queries));
        root.add("nanos", GSON.toJsonTree(nanos));
        root.add("warnings", GSON.toJsonTree(warnings));
        root.add("environment", GSON.toJsonTree(new LinkedHashMap<>(environment)));
        root.addProperty("elapsedNanos", elapsedNanos);
        return GSON.toJson(root);
    }

    /**
     * Reads a part written by {@link #toJson()}.
     *
     * @param json the JSON text
     * @return the part
     * @throws NullPointerException if {@code json} is null
     * @throws IllegalArgumentException if the text is not a part of schema {@value #SCHEMA}
     */
    public static EvaluationPart fromJson(String json) {
        requireNonNull(json, "json");
        try {
            JsonObject root = JsonParser.parseString(json).getAsJsonObject();
            JsonElement schema = root.get("schema");
            checkArgument(
                    schema != null && SCHEMA.equals(schema.getAsString()),
                    "schema must be %s but was %s",
                    SCHEMA,
                    schema);
            List<String> warnings = new ArrayList<>();
            root.getAsJsonArray("warnings").forEach(w -> warnings.add(w.getAsString()));
            Map<String, String> environment = new LinkedHashMap<>();
            root.getAsJsonObject("environment")
                    .entrySet()
                    .forEach(e -> environment.put(e.getKey(), e.getValue().getAsString()));
            JsonArray verdicts = root.getAsJsonArray("verdicts");
            byte[][] byAttack = new byte[verdicts.size()][];
            for (int k = 0; k < byAttack.length; k++) {
                byAttack[k] = GSON.fromJson(verdicts.get(k), byte[].class);
            }
            return new EvaluationPart(
                    root.get("firstBatch").getAsInt(),
                    root.get("batchSize").getAsInt(),
                    GSON.fromJson(root.get("labels"), int[].class),
                    GSON.fromJson(root.get("cleanPredictions"), int[].class),
                    GSON.fromJson(root.get("brokenBy"), int[].class),
                    byAttack,
                    GSON.fromJson(root.get("exampleQueries"), long[][].class),
                    GSON.fromJson(root.get("queries"), long[].class),
                    GSON.fromJson(root.get("nanos"), long[].class),
                    warnings,
                    environment,
                    root.get("elapsedNanos").getAsLong());
        } catch (JsonParseException | IllegalStateException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "json must be an evaluation part (" + SCHEMA + ") but was not: " + e, e);
        }
    }
}
