package dev.awp.examples.benchmark;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Section 5 of {@link AwpBenchmark}: SmallCnn against the batch size and the width, a ratio per
 * row: AT-AWP over AT, AT-AWP's extra peak resident memory over the parameter bytes (meaningful
 * only when the parameters exceed {@link AwpBenchmark#RSS_RESOLUTION_BYTES}), and, when Python's
 * PyTorch is there, our AT-AWP step over the reference procedure's on the same row.
 */
final class ScalingSweep {

    private ScalingSweep() {}

    static JsonObject run(
            BenchmarkOptions options, ReferenceRunner reference, int threads, int interop) {
        JsonObject scaling = new JsonObject();
        JsonArray batches = new JsonArray();
        for (int b : options.scalingBatches) {
            AwpBenchmark.progress("scaling: SmallCnn w%d b%d", options.width, b);
            batches.add(point(options, reference, threads, interop, options.width, b));
        }
        JsonArray widths = new JsonArray();
        for (int w : options.scalingWidths) {
            AwpBenchmark.progress("scaling: SmallCnn w%d b%d", w, options.batch);
            widths.add(point(options, reference, threads, interop, w, options.batch));
        }
        scaling.add("batch", batches);
        scaling.add("width", widths);
        return scaling;
    }

    private static JsonObject point(
            BenchmarkOptions options,
            ReferenceRunner reference,
            int threads,
            int interop,
            int width,
            int batch) {
        JsonObject point = new JsonObject();
        try (StepFixture f =
                StepFixture.smallCnn(width, batch, options.attackSteps, options.seed)) {
            long parameterBytes = f.parameterCountAndBytes()[1];
            // memory first, on the fresh model, as for the models of section 1
            f.at();
            NativeMemory.resetPeak();
            for (int i = 0; i < options.memorySteps; i++) {
                f.at();
            }
            long peakAt = NativeMemory.peakRss();
            NativeMemory.resetPeak();
            for (int i = 0; i < options.memorySteps; i++) {
                f.atAwp();
            }
            long extra = NativeMemory.peakRss() - peakAt;
            f.at();
            f.atAwp();
            List<Double> at = new ArrayList<>();
            List<Double> awp = new ArrayList<>();
            for (int i = 0; i < options.scalingReps; i++) {
                at.add(f.at());
                awp.add(f.atAwp());
            }
            point.addProperty("width", width);
            point.addProperty("batch", batch);
            point.addProperty("parameters", f.parameterCountAndBytes()[0]);
            point.addProperty("parameter_bytes", parameterBytes);
            point.add("at_ms", Stats.of(at).toJson());
            point.add("at_awp_ms", Stats.of(awp).toJson());
            point.addProperty("ratio", Stats.of(awp).median() / Stats.of(at).median());
            point.addProperty("extra_peak_rss_bytes", extra);
            point.addProperty(
                    "extra_peak_rss_over_parameter_bytes", (double) extra / parameterBytes);
            point.addProperty(
                    "memory_resolved", parameterBytes >= AwpBenchmark.RSS_RESOLUTION_BYTES);
            if (reference != null) {
                reference(options, reference, threads, interop, width, batch, awp, point);
            }
        }
        return point;
    }

    /** Runs the reference procedure on the row and adds our AT-AWP step over its. */
    private static void reference(
            BenchmarkOptions options,
            ReferenceRunner reference,
            int threads,
            int interop,
            int width,
            int batch,
            List<Double> ours,
            JsonObject point) {
        List<String> args =
                List.of(
                        "--model", "smallcnn",
                        "--width", Integer.toString(width),
                        "--batch", Integer.toString(batch),
                        "--threads", Integer.toString(threads),
                        "--interop-threads", Integer.toString(interop),
                        "--seed", Long.toString(options.seed),
                        "--warmup", "1",
                        "--reps", Integer.toString(options.scalingReps),
                        "--attack-steps", Integer.toString(options.attackSteps),
                        "--gamma", Double.toString(StepFixture.GAMMA),
                        "--memory-steps", "0");
        Path out =
                options.output.resolveSibling(
                        String.format(
                                Locale.ROOT, "reference-smallcnn-w%d-b%d.json", width, batch));
        try {
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            JsonObject raw = reference.run(args, out);
            List<Double> atAwp = new ArrayList<>();
            raw.getAsJsonArray("at_awp").forEach(e -> atAwp.add(e.getAsDouble()));
            Stats theirs = Stats.of(atAwp);
            point.add("reference_at_awp_ms", theirs.toJson());
            point.addProperty(
                    "ours_over_reference_at_awp", Stats.of(ours).median() / theirs.median());
        } catch (IOException | RuntimeException e) {
            point.addProperty("reference_error", e.getMessage());
            AwpBenchmark.progress("  reference failed: %s", e.getMessage());
        }
    }
}
