package dev.awp.djl.evaluation;

import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.awp.attack.InputDomain;
import dev.awp.attack.Norm;
import dev.awp.attack.ThreatModel;
import dev.awp.report.Accuracy;
import dev.awp.report.AttackAccounting;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a {@link RobustnessReport} as JSON and reads it back (with Gson, which DJL brings).
 *
 * <p>The document, {@value #SCHEMA}:
 *
 * <pre>{@code
 * {
 *   "schema": "awp.robustness-report/1",
 *   "dataset": "SyntheticShapes test (seed 2)[subset of 64, seed 7]",
 *   "examples": 64, "subsetSeed": 7, "seed": 0, "batchSize": 32,
 *   "threatModel": {"norm": "LINF", "epsilon": 0.0313..., "lowerBound": 0.0, "upperBound": 1.0},
 *   "accounting": "CASCADE",
 *   "clean":  {"correct": 50, "total": 64, "accuracy": 0.78125, "lower": 0.66, "upper": 0.87},
 *   "robust": {"correct": 0, "total": 64, ...},
 *   "attacks": [
 *     {"name": "PGD-20", "parameters": {"steps": "20", ...}, "attacked": 50, "survived": 3,
 *      "ownAccuracy": null, "cumulative": {...}, "queries": 1050, "elapsedSeconds": 1.2}, ...],
 *   "brokenBy": [-2, 0, -1, 1, ...],
 *   "environment": {"awp.version": "...", "djl.version": "0.36.0", ...},
 *   "warnings": [],
 *   "elapsedSeconds": 12.3
 * }
 * }</pre>
 *
 * Accuracies are written with their value and 95% Wilson interval for readers; only the counts are
 * read back. A threat model with per-feature bounds also has {@code "featureBounds":
 * {"lowerBounds": [...], "upperBounds": [...]}} (its {@code lowerBound} and {@code upperBound} are
 * then their smallest and largest); documents without it read as scalar bounds. {@code subsetSeed}
 * is absent when the whole dataset was evaluated; {@code ownAccuracy} is null in a cascade. {@code
 * queries} (single-example forward passes per attack) and {@code brokenBy} (per example, the index
 * of the first attack that broke it, −1 robust, −2 misclassified at the clean input) read as 0 and
 * empty from documents written before they were recorded.
 */
public final class RobustnessReportJson {

    /** The schema identifier written in every document. */
    public static final String SCHEMA = "awp.robustness-report/1";

    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

    private RobustnessReportJson() {}

    /**
     * Writes a report as pretty-printed JSON.
     *
     * @param report the report
     * @return the JSON document
     * @throws NullPointerException if {@code report} is null
     */
    public static String toJson(RobustnessReport report) {
        requireNonNull(report, "report");
        return GSON.toJson(toTree(report));
    }

    /**
     * Writes a report as a Gson tree, for embedding in a larger document.
     *
     * @param report the report
     * @return the JSON object
     * @throws NullPointerException if {@code report} is null
     */
    public static JsonObject toTree(RobustnessReport report) {
        requireNonNull(report, "report");
        JsonObject json = new JsonObject();
        json.addProperty("schema", SCHEMA);
        json.addProperty("dataset", report.dataset());
        json.addProperty("examples", report.examples());
        report.subsetSeed().ifPresent(seed -> json.addProperty("subsetSeed", seed));
        json.addProperty("seed", report.seed());
        json.addProperty("batchSize", report.batchSize());
        json.add("threatModel", threatModel(report.threatModel()));
        json.addProperty("accounting", report.accounting().name());
        json.add("clean", accuracy(report.cleanAccuracy()));
        json.add("robust", accuracy(report.robustAccuracy()));
        JsonArray attacks = new JsonArray();
        for (AttackResult result : report.attacks()) {
            JsonObject attack = new JsonObject();
            attack.addProperty("name", result.name());
            attack.add("parameters", map(result.parameters()));
            attack.addProperty("attacked", result.attacked());
            attack.addProperty("survived", result.survived());
            attack.add(
                    "ownAccuracy",
                    result.ownAccuracy().map(RobustnessReportJson::accuracy).orElse(null));
            attack.add("cumulative", accuracy(result.cumulativeAccuracy()));
            attack.addProperty("queries", result.queries());
            attack.addProperty("elapsedSeconds", result.elapsedSeconds());
            attacks.add(attack);
        }
        json.add("attacks", attacks);
        JsonArray brokenBy = new JsonArray(report.brokenBy().size());
        report.brokenBy().forEach(brokenBy::add);
        json.add("brokenBy", brokenBy);
        json.add("environment", map(report.environment()));
        JsonArray warnings = new JsonArray();
        report.warnings().forEach(warnings::add);
        json.add("warnings", warnings);
        json.addProperty("elapsedSeconds", report.elapsedSeconds());
        return json;
    }

    /**
     * Reads a report written by {@link #toJson(RobustnessReport)}.
     *
     * @param json the JSON document
     * @return the report, validated as when built
     * @throws NullPointerException if {@code json} is null
     * @throws IllegalArgumentException if the document is not a report of schema {@value #SCHEMA}
     *     or its values are inconsistent
     */
    public static RobustnessReport fromJson(String json) {
        requireNonNull(json, "json");
        JsonObject root;
        try {
            root = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("json must be a JSON object but was not: " + e, e);
        }
        String schema = string(root, "schema");
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("schema must be " + SCHEMA + " but was " + schema);
        }
        try {
            RobustnessReport.Builder report =
                    RobustnessReport.builder()
                            .dataset(string(root, "dataset"))
                            .examples(root.get("examples").getAsInt())
                            .subsetSeed(
                                    root.has("subsetSeed") && !root.get("subsetSeed").isJsonNull()
                                            ? Optional.of(root.get("subsetSeed").getAsLong())
                                            : Optional.empty())
                            .seed(root.get("seed").getAsLong())
                            .batchSize(root.get("batchSize").getAsInt())
                            .threatModel(threatModel(root.getAsJsonObject("threatModel")))
                            .accounting(AttackAccounting.valueOf(string(root, "accounting")))
                            .cleanAccuracy(accuracy(root.getAsJsonObject("clean")))
                            .environment(map(root.getAsJsonObject("environment")))
                            .elapsedSeconds(root.get("elapsedSeconds").getAsDouble());
            for (JsonElement element : root.getAsJsonArray("attacks")) {
                JsonObject attack = element.getAsJsonObject();
                JsonElement own = attack.get("ownAccuracy");
                report.addAttack(
                        AttackResult.builder()
                                .name(string(attack, "name"))
                                .parameters(map(attack.getAsJsonObject("parameters")))
                                .attacked(attack.get("attacked").getAsInt())
                                .survived(attack.get("survived").getAsInt())
                                .ownAccuracy(
                                        own == null || own.isJsonNull()
                                                ? Optional.empty()
                                                : Optional.of(accuracy(own.getAsJsonObject())))
                                .cumulativeAccuracy(accuracy(attack.getAsJsonObject("cumulative")))
                                .queries(
                                        attack.has("queries")
                                                ? attack.get("queries").getAsLong()
                                                : 0L)
                                .elapsedSeconds(attack.get("elapsedSeconds").getAsDouble())
                                .build());
            }
            JsonElement brokenBy = root.get("brokenBy");
            if (brokenBy != null && !brokenBy.isJsonNull()) {
                for (JsonElement code : brokenBy.getAsJsonArray()) {
                    report.addBrokenBy(code.getAsInt());
                }
            }
            for (JsonElement warning : root.getAsJsonArray("warnings")) {
                report.addWarning(warning.getAsString());
            }
            return report.build();
        } catch (NullPointerException | ClassCastException | IllegalStateException e) {
            throw new IllegalArgumentException(
                    "json must hold every field of a " + SCHEMA + " document but did not: " + e, e);
        }
    }

    private static JsonObject threatModel(ThreatModel tm) {
        JsonObject json = new JsonObject();
        json.addProperty("norm", tm.norm().name());
        json.addProperty("epsilon", tm.epsilon());
        json.addProperty("lowerBound", tm.lowerBound());
        json.addProperty("upperBound", tm.upperBound());
        tm.featureBounds()
                .ifPresent(
                        features -> {
                            JsonObject bounds = new JsonObject();
                            bounds.add("lowerBounds", numbers(features.lowerBounds()));
                            bounds.add("upperBounds", numbers(features.upperBounds()));
                            json.add("featureBounds", bounds);
                        });
        return json;
    }

    private static ThreatModel threatModel(JsonObject json) {
        ThreatModel.Builder tm =
                ThreatModel.builder()
                        .norm(Norm.valueOf(string(json, "norm")))
                        .epsilon(json.get("epsilon").getAsDouble());
        JsonElement features = json.get("featureBounds");
        if (features == null || features.isJsonNull()) {
            return tm.lowerBound(json.get("lowerBound").getAsDouble())
                    .upperBound(json.get("upperBound").getAsDouble())
                    .build();
        }
        // lowerBound and upperBound are then the per-feature bounds' envelope, implied by them
        JsonObject bounds = features.getAsJsonObject();
        return tm.featureBounds(
                        InputDomain.perFeature(
                                numbers(bounds.getAsJsonArray("lowerBounds")),
                                numbers(bounds.getAsJsonArray("upperBounds"))))
                .build();
    }

    private static JsonArray numbers(double[] values) {
        JsonArray array = new JsonArray(values.length);
        for (double value : values) {
            array.add(value);
        }
        return array;
    }

    private static double[] numbers(JsonArray array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).getAsDouble();
        }
        return values;
    }

    private static JsonObject accuracy(Accuracy accuracy) {
        JsonObject json = new JsonObject();
        json.addProperty("correct", accuracy.correct());
        json.addProperty("total", accuracy.total());
        json.addProperty("accuracy", accuracy.value());
        json.addProperty("lower", accuracy.lower());
        json.addProperty("upper", accuracy.upper());
        return json;
    }

    private static Accuracy accuracy(JsonObject json) {
        return Accuracy.of(json.get("correct").getAsInt(), json.get("total").getAsInt());
    }

    private static JsonObject map(Map<String, String> entries) {
        JsonObject json = new JsonObject();
        entries.forEach(json::addProperty);
        return json;
    }

    private static Map<String, String> map(JsonObject json) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : json.entrySet()) {
            entries.put(entry.getKey(), entry.getValue().getAsString());
        }
        return entries;
    }

    private static String string(JsonObject json, String member) {
        JsonElement element = json.get(member);
        return element == null || element.isJsonNull() ? null : element.getAsString();
    }
}
