package dev.awp.djl.training;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import java.util.Optional;

/**
 * {@link EpochMetrics} as one JSON object, for {@code metrics.jsonl} and the metrics history kept
 * in checkpoints. Accuracies are written as {@code {"correct", "total", "value"}}; the gap as a
 * number or {@code null}; doubles round-trip exactly.
 */
final class MetricsJson {

    private MetricsJson() {}

    static JsonObject toJson(EpochMetrics metrics) {
        JsonObject json = new JsonObject();
        json.addProperty("epoch", metrics.epoch());
        json.addProperty("learningRate", metrics.learningRate());
        json.addProperty("trainLoss", metrics.trainLoss());
        json.add("trainAdversarialAccuracy", accuracy(metrics.trainAdversarialAccuracy()));
        json.addProperty("awpActive", metrics.awpActive());
        json.addProperty("elapsedSeconds", metrics.elapsedSeconds());
        json.add("cleanAccuracy", optional(metrics.cleanAccuracy()));
        json.add("robustAccuracy", optional(metrics.robustAccuracy()));
        json.add("trainRobustAccuracy", optional(metrics.trainRobustAccuracy()));
        json.add(
                "robustGap",
                metrics.robustGap()
                        .<JsonElement>map(gap -> new com.google.gson.JsonPrimitive(gap))
                        .orElse(JsonNull.INSTANCE));
        return json;
    }

    static EpochMetrics fromJson(JsonObject json) {
        return EpochMetrics.builder()
                .epoch(json.get("epoch").getAsInt())
                .learningRate(json.get("learningRate").getAsDouble())
                .trainLoss(json.get("trainLoss").getAsDouble())
                .trainAdversarialAccuracy(accuracy(json.get("trainAdversarialAccuracy")))
                .awpActive(json.get("awpActive").getAsBoolean())
                .elapsedSeconds(json.get("elapsedSeconds").getAsDouble())
                .cleanAccuracy(optionalAccuracy(json.get("cleanAccuracy")))
                .robustAccuracy(optionalAccuracy(json.get("robustAccuracy")))
                .trainRobustAccuracy(optionalAccuracy(json.get("trainRobustAccuracy")))
                .build();
    }

    static JsonElement accuracy(Accuracy accuracy) {
        JsonObject json = new JsonObject();
        json.addProperty("correct", accuracy.correct());
        json.addProperty("total", accuracy.total());
        json.addProperty("value", accuracy.value());
        return json;
    }

    static Accuracy accuracy(JsonElement json) {
        JsonObject object = json.getAsJsonObject();
        return Accuracy.of(object.get("correct").getAsInt(), object.get("total").getAsInt());
    }

    private static JsonElement optional(Optional<Accuracy> accuracy) {
        return accuracy.map(MetricsJson::accuracy).orElse(JsonNull.INSTANCE);
    }

    private static Optional<Accuracy> optionalAccuracy(JsonElement json) {
        return json == null || json.isJsonNull() ? Optional.empty() : Optional.of(accuracy(json));
    }
}
