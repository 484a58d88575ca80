package dev.awp.examples.benchmark;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Section 3 of {@link AwpBenchmark}: runs the Python reference step and compares it with ours. */
final class ReferenceComparison {

    private ReferenceComparison() {}

    static JsonObject run(
            BenchmarkOptions options,
            ReferenceRunner reference,
            ModelResult m,
            int threads,
            int interop) {
        boolean resnet = m.pythonModel.equals("preactresnet18");
        List<String> args =
                List.of(
                        "--model", m.pythonModel,
                        "--width", Integer.toString(Math.max(1, m.width)),
                        "--batch", Integer.toString(m.batch),
                        "--threads", Integer.toString(threads),
                        "--interop-threads", Integer.toString(interop),
                        "--seed", Long.toString(options.seed),
                        "--warmup",
                                Integer.toString(resnet ? options.resnetWarmup : options.warmup),
                        "--reps", Integer.toString(resnet ? options.resnetReps : options.reps),
                        "--attack-steps", Integer.toString(options.attackSteps),
                        "--gamma", Double.toString(StepFixture.GAMMA),
                        "--memory-steps", Integer.toString(options.memorySteps));
        Path out = options.output.resolveSibling("reference-" + m.pythonModel + ".json");
        JsonObject result = new JsonObject();
        try {
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            JsonObject raw = reference.run(args, out);
            result.add("raw", raw);
            Stats at = stats(raw.getAsJsonArray("at"));
            Stats atAwp = stats(raw.getAsJsonArray("at_awp"));
            Stats fb = stats(raw.getAsJsonArray("fwd_bwd"));
            Stats inputOnly = stats(raw.getAsJsonArray("attack_input_only"));
            result.addProperty("torch_version", raw.get("torch_version").getAsString());
            result.addProperty("threads", raw.get("threads").getAsInt());
            result.addProperty("interop_threads", raw.get("interop_threads").getAsInt());
            result.add("at_ms", at.toJson());
            result.add("at_awp_ms", atAwp.toJson());
            result.add("fwd_bwd_ms", fb.toJson());
            result.add("attack_input_only_ms", inputOnly.toJson());
            result.add("phases_at_ms", phases(raw.getAsJsonArray("phases_at")));
            result.add("phases_at_awp_ms", phases(raw.getAsJsonArray("phases_at_awp")));
            result.addProperty("ours_over_reference_at_awp", m.atAwp.median() / atAwp.median());
            result.addProperty("ours_over_reference_at", m.at.median() / at.median());
            result.addProperty("reference_overhead_ratio", atAwp.median() / at.median());
            result.addProperty("ours_over_reference_fwd_bwd", m.fwdBwd.median() / fb.median());
            result.addProperty(
                    "ours_over_reference_attack_input_only",
                    m.attackOurs.median() / inputOnly.median());
            m.json.add("reference", result);
        } catch (IOException | RuntimeException e) {
            result.addProperty("error", e.getMessage());
            m.json.add("reference", result);
            AwpBenchmark.progress("  reference failed: %s", e.getMessage());
        }
        return result;
    }

    private static Stats stats(JsonArray array) {
        List<Double> values = new ArrayList<>();
        array.forEach(e -> values.add(e.getAsDouble()));
        return Stats.of(values);
    }

    private static JsonObject phases(JsonArray steps) {
        Map<String, List<Double>> byPhase = new LinkedHashMap<>();
        for (JsonElement step : steps) {
            for (Map.Entry<String, JsonElement> e : step.getAsJsonObject().entrySet()) {
                byPhase.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(e.getValue().getAsDouble());
            }
        }
        JsonObject json = new JsonObject();
        byPhase.forEach((k, v) -> json.add(k, Stats.of(v).toJson()));
        return json;
    }
}
