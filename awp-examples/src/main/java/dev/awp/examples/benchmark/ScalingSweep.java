package dev.awp.examples.benchmark;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Section 5 of {@link AwpBenchmark}: SmallCnn step time against the batch size and the width. */
final class ScalingSweep {

    private ScalingSweep() {}

    static JsonObject run(BenchmarkOptions options) {
        JsonObject scaling = new JsonObject();
        JsonArray batches = new JsonArray();
        for (int b : options.scalingBatches) {
            AwpBenchmark.progress("scaling: SmallCnn w%d b%d", options.width, b);
            batches.add(point(options, options.width, b));
        }
        JsonArray widths = new JsonArray();
        for (int w : options.scalingWidths) {
            AwpBenchmark.progress("scaling: SmallCnn w%d b%d", w, options.batch);
            widths.add(point(options, w, options.batch));
        }
        scaling.add("batch", batches);
        scaling.add("width", widths);
        return scaling;
    }

    private static JsonObject point(BenchmarkOptions options, int width, int batch) {
        try (StepFixture f =
                StepFixture.smallCnn(width, batch, options.attackSteps, options.seed)) {
            f.at();
            f.atAwp();
            List<Double> at = new ArrayList<>();
            List<Double> awp = new ArrayList<>();
            for (int i = 0; i < options.scalingReps; i++) {
                at.add(f.at());
                awp.add(f.atAwp());
            }
            JsonObject point = new JsonObject();
            point.addProperty("width", width);
            point.addProperty("batch", batch);
            point.addProperty("parameters", f.parameterCountAndBytes()[0]);
            point.add("at_ms", Stats.of(at).toJson());
            point.add("at_awp_ms", Stats.of(awp).toJson());
            point.addProperty("ratio", Stats.of(awp).median() / Stats.of(at).median());
            return point;
        }
    }
}
