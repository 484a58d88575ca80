package dev.awp.examples.benchmark;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures, side by side in one process, what AWP costs on top of adversarial training and how our
 * step compares with the PyTorch reference procedure; prints a table and writes a JSON report.
 *
 * <ol>
 *   <li><b>AWP overhead</b>: step time of AT-AWP over PGD-AT (PGD-10), same model, batch and
 *       threads, on SmallCnn and PreActResNet-18; target ≤ 1.15×. The limit an implementation can
 *       reach is {@code (attack + 2 fwd/bwd) / (attack + 1 fwd/bwd)}, computed from the attack and
 *       one forward+backward timed alone. Each step is also timed phase by phase.
 *   <li><b>Attack cost</b>: our PGD-10 pass (input gradients only) vs the same loop with the
 *       weights' gradients enabled (what the reference's attack computes) and vs ten
 *       forward+backward passes.
 *   <li><b>Against the reference</b>: {@code src/main/python/reference_step.py} runs AT and AT-AWP
 *       steps the way the AWP reference code does (proxy model loaded each step, proxy SGD step on
 *       the negated loss, weight difference, perturb, step, restore) on the same architecture,
 *       batch, seed and thread counts; target: our AT-AWP step ≤ 1.0× the reference's. Skipped with
 *       a message when Python's PyTorch is absent.
 *   <li><b>Memory</b>: the extra peak resident memory of AT-AWP over AT and the extra bytes of live
 *       arrays (target ≤ 1.5× the parameter bytes), and a leak check: live NDArray count and
 *       resident memory over 500 AT-AWP steps.
 *   <li><b>Scaling</b>: step time against the batch size and the SmallCnn width.
 * </ol>
 *
 * <p>Every timing is warmed up, repeated with AT and AT-AWP steps interleaved (alternating which
 * comes first), and reported as median [min–max]; the PyTorch intra-op and inter-op thread counts
 * are pinned (system properties {@code ai.djl.pytorch.num_threads} and {@code
 * ai.djl.pytorch.num_interop_threads}, read by DJL when the engine loads; {@code
 * torch.set_num_threads} in the script) and printed. Run it on an otherwise idle machine: {@code
 * ./mvnw -Prun -pl awp-examples -am verify -DskipTests
 * -Dexample.main=dev.awp.examples.benchmark.AwpBenchmark -Dexample.args='--quick'}; {@code --help}
 * lists the options.
 */
public final class AwpBenchmark {

    static final double OVERHEAD_TARGET = 1.15;
    static final double REFERENCE_TARGET = 1.0;
    static final double MEMORY_TARGET = 1.5;
    private static final double MB = 1024.0 * 1024.0;

    /** Below this many parameter bytes, peak RSS differences are allocator noise. */
    static final long RSS_RESOLUTION_BYTES = 8L << 20;

    private final BenchmarkOptions options;
    private final StringBuilder table = new StringBuilder();
    private final JsonObject report = new JsonObject();

    private AwpBenchmark(BenchmarkOptions options) {
        this.options = options;
    }

    /**
     * Runs the benchmark from the command line.
     *
     * @param args the options; {@code --help} lists them
     * @throws IOException if the report cannot be written
     */
    public static void main(String[] args) throws IOException {
        runExample(args);
    }

    /**
     * Runs the benchmark, prints the table and writes the JSON report.
     *
     * @param args the options; {@code --quick} for a smoke run, {@code --help} for the list
     * @return what was measured
     * @throws IOException if the report cannot be written
     * @throws IllegalArgumentException if an option is unknown or invalid
     */
    public static BenchmarkReport runExample(String... args) throws IOException {
        BenchmarkOptions options = BenchmarkOptions.parse(args);
        return new AwpBenchmark(options).run();
    }

    private BenchmarkReport run() throws IOException {
        long started = System.nanoTime();
        // read by DJL's PtEngine when the engine loads: set them before the first Engine call
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(options.threads));
        System.setProperty(
                "ai.djl.pytorch.num_interop_threads", Integer.toString(options.interopThreads));
        Engine engine = Engine.getInstance();
        int threads = engineThreads("getNumThreads", options.threads);
        int interop = engineThreads("getNumInteropThreads", options.interopThreads);
        String loadStart = loadAverage();

        JsonObject settings = new JsonObject();
        settings.addProperty("date", Instant.now().toString());
        settings.addProperty("cpu", cpuModel());
        settings.addProperty("cores", Runtime.getRuntime().availableProcessors());
        settings.addProperty(
                "os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        settings.addProperty("java", System.getProperty("java.version"));
        settings.addProperty("engine", engine.getEngineName() + " " + engine.getVersion());
        settings.addProperty("intra_op_threads", threads);
        settings.addProperty("inter_op_threads", interop);
        settings.addProperty("seed", options.seed);
        settings.addProperty("attack", "PGD-" + options.attackSteps + " L-inf 8/255, 2/255, train");
        settings.addProperty("gamma", StepFixture.GAMMA);
        settings.addProperty("optimizer", "SGD lr 0.01 momentum 0.9 weight decay 5e-4");
        settings.addProperty("load_average_start", loadStart);
        report.add("settings", settings);
        if (threads != options.threads || interop != options.interopThreads) {
            line(
                    "note: the engine was loaded before the benchmark set its threads; measured"
                            + " with intra-op %d, inter-op %d",
                    threads, interop);
        }

        ReferenceRunner reference = null;
        String referenceSkipped = "disabled with --no-python";
        if (options.python) {
            reference =
                    ReferenceRunner.probe(
                            options.pythonExecutable, options.script, options.pythonTimeoutSeconds);
            referenceSkipped = reference.unavailable();
            if (referenceSkipped != null) {
                reference = null;
            }
        }
        if (reference == null) {
            progress("reference comparison skipped: " + referenceSkipped);
        }

        List<ModelResult> models = new ArrayList<>();
        progress("SmallCnn w%d b%d", options.width, options.batch);
        try (StepFixture f =
                StepFixture.smallCnn(
                        options.width, options.batch, options.attackSteps, options.seed)) {
            models.add(measureModel(f, options.warmup, options.reps));
        }
        if (options.resnet) {
            progress("PreActResNet-18 b%d", options.resnetBatch);
            try (StepFixture f =
                    StepFixture.preActResNet18(
                            options.resnetBatch, options.attackSteps, options.seed)) {
                models.add(measureModel(f, options.resnetWarmup, options.resnetReps));
            }
        }
        for (ModelResult m : models) {
            if (reference != null) {
                progress("reference (Python) %s", m.label);
                m.reference = runReference(reference, m, threads, interop);
            } else {
                m.referenceSkipped = referenceSkipped;
            }
        }
        JsonObject leak = options.leakSteps > 0 ? leakCheck() : null;
        JsonObject scaling = scaling();

        String loadEnd = loadAverage();
        settings.addProperty("load_average_end", loadEnd);
        double minutes = (System.nanoTime() - started) / 6e10;
        settings.addProperty("duration_minutes", minutes);

        JsonArray modelsJson = new JsonArray();
        models.forEach(m -> modelsJson.add(m.json));
        report.add("models", modelsJson);
        if (leak != null) {
            report.add("leak", leak);
        }
        report.add("scaling", scaling);
        report.add("targets", targets(models, leak));

        printTable(settings, models, leak, scaling, threads, interop, loadStart, loadEnd, minutes);
        Path output = options.output;
        if (output.toAbsolutePath().getParent() != null) {
            Files.createDirectories(output.toAbsolutePath().getParent());
        }
        Files.writeString(
                output,
                new GsonBuilder().setPrettyPrinting().create().toJson(report) + "\n",
                StandardCharsets.UTF_8);
        Path text = output.resolveSibling(stripExtension(output.getFileName().toString()) + ".txt");
        Files.writeString(text, table.toString(), StandardCharsets.UTF_8);
        System.out.print(table);
        System.out.println("JSON report: " + output.toAbsolutePath());
        return new BenchmarkReport(table.toString(), report, output);
    }

    // --- 1, 2, 4: one model ------------------------------------------------------------------

    /** What one model measured; {@link #json} holds everything, the fields what the table uses. */
    private static final class ModelResult {
        String label;
        String pythonModel;
        int width;
        int batch;
        long parameters;
        long parameterBytes;
        long perturbedTensors;
        long perturbedBytes;
        Stats at;
        Stats atAwp;
        Stats pairRatios;
        Map<String, Stats> phasesAt = new LinkedHashMap<>();
        Map<String, Stats> phasesAtAwp = new LinkedHashMap<>();
        Stats fwdBwd;
        Stats attackOurs;
        Stats attackLoopInputOnly;
        Stats attackLoopWeightGrads;
        double limit;
        double bookkeepingMillis;
        double getParametersMillis;
        double toggleMillis;
        double hasGradientMillis;
        long peakAt;
        long peakAtAwp;
        long liveBytesAt;
        long liveBytesAtAwp;
        boolean peakResetWorks;
        JsonObject reference;
        String referenceSkipped;
        JsonObject json = new JsonObject();

        double ratio() {
            return atAwp.median() / at.median();
        }

        long extraPeak() {
            return peakAtAwp - peakAt;
        }

        long extraLive() {
            return liveBytesAtAwp - liveBytesAt;
        }

        /** Whether the parameters are large enough for resident memory to resolve them. */
        boolean rssResolves() {
            return parameterBytes >= RSS_RESOLUTION_BYTES && peakResetWorks;
        }

        /**
         * The extra memory judged against the target: the larger of the extra peak RSS and the
         * extra live-array bytes; the live-array bytes alone when the model is too small for RSS.
         */
        long extraMemory() {
            return rssResolves() ? Math.max(extraPeak(), extraLive()) : extraLive();
        }

        double extraMemoryRatio() {
            return (double) extraMemory() / parameterBytes;
        }
    }

    private ModelResult measureModel(StepFixture f, int warmup, int reps) {
        ModelResult m = new ModelResult();
        m.label = f.label;
        m.pythonModel = f.pythonModel;
        m.width = f.width;
        m.batch = f.batchSize;
        long[] parameters = f.parameterCountAndBytes();
        long[] perturbed = f.perturbedCountAndBytes();
        m.parameters = parameters[0];
        m.parameterBytes = parameters[1];
        m.perturbedTensors = perturbed[0];
        m.perturbedBytes = perturbed[1];

        // memory first, on the fresh model: the AWP window includes the first AWP step, which
        // allocates the v buffers
        progress("  memory");
        NDManager root = NativeMemory.root(f.trainer.getManager());
        f.at();
        m.peakResetWorks = NativeMemory.resetPeak();
        for (int i = 0; i < options.memorySteps; i++) {
            f.at();
        }
        m.peakAt = NativeMemory.peakRss();
        m.liveBytesAt = NativeMemory.liveBytes(root);
        NativeMemory.resetPeak();
        for (int i = 0; i < options.memorySteps; i++) {
            f.atAwp();
        }
        m.peakAtAwp = NativeMemory.peakRss();
        m.liveBytesAtAwp = NativeMemory.liveBytes(root);

        progress("  steps: %d warm-up and %d timed of each kind", warmup, reps);
        for (int i = 0; i < warmup; i++) {
            f.at();
            f.atAwp();
        }
        List<Double> at = new ArrayList<>();
        List<Double> atAwp = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            if (i % 2 == 0) {
                at.add(f.at());
                atAwp.add(f.atAwp());
            } else {
                atAwp.add(f.atAwp());
                at.add(f.at());
            }
        }
        m.at = Stats.of(at);
        m.atAwp = Stats.of(atAwp);
        m.pairRatios = Stats.ratios(atAwp, at);

        progress("  phases");
        Map<String, List<Double>> phasesAt = new LinkedHashMap<>();
        Map<String, List<Double>> phasesAwp = new LinkedHashMap<>();
        for (int i = 0; i < options.phaseReps; i++) {
            f.phases(false)
                    .forEach((k, v) -> phasesAt.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            f.phases(true)
                    .forEach((k, v) -> phasesAwp.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        phasesAt.forEach((k, v) -> m.phasesAt.put(k, Stats.of(v)));
        phasesAwp.forEach((k, v) -> m.phasesAtAwp.put(k, Stats.of(v)));

        progress("  attacks and forward+backward");
        f.attackOurs();
        f.attackLoop(false);
        f.attackLoop(true);
        f.forwardBackward();
        List<Double> ours = new ArrayList<>();
        List<Double> loopInputOnly = new ArrayList<>();
        List<Double> loopWeightGrads = new ArrayList<>();
        List<Double> fwdBwd = new ArrayList<>();
        int attackReps = Math.max(3, reps);
        for (int i = 0; i < attackReps; i++) {
            ours.add(f.attackOurs());
            loopInputOnly.add(f.attackLoop(false));
            loopWeightGrads.add(f.attackLoop(true));
            fwdBwd.add(f.forwardBackward());
        }
        m.attackOurs = Stats.of(ours);
        m.attackLoopInputOnly = Stats.of(loopInputOnly);
        m.attackLoopWeightGrads = Stats.of(loopWeightGrads);
        m.fwdBwd = Stats.of(fwdBwd);
        double a = m.attackOurs.median();
        double fb = m.fwdBwd.median();
        m.limit = (a + 2 * fb) / (a + fb);

        // the bookkeeping the library repeats per AT-AWP step: block.getParameters() once per
        // attack, once per attack step (InputGradients), once in AwpOptimizer.perturb; a
        // hasGradient() per trainable array per attack step; one off/on toggle per attack
        m.getParametersMillis = f.getParametersMillis(200);
        m.hasGradientMillis = f.hasGradientMillis(200);
        m.toggleMillis = f.toggleGradientsMillis(100);
        int steps = options.attackSteps;
        m.bookkeepingMillis =
                (steps + 2) * m.getParametersMillis + steps * m.hasGradientMillis + m.toggleMillis;

        JsonObject j = m.json;
        j.addProperty("label", m.label);
        j.addProperty("batch", m.batch);
        j.addProperty("parameters", m.parameters);
        j.addProperty("parameter_bytes", m.parameterBytes);
        j.addProperty("perturbed_tensors", m.perturbedTensors);
        j.addProperty("perturbed_bytes", m.perturbedBytes);
        j.add("at_ms", m.at.toJson());
        j.add("at_awp_ms", m.atAwp.toJson());
        j.addProperty("overhead_ratio", m.ratio());
        j.add("overhead_pair_ratios", m.pairRatios.toJson());
        j.addProperty("overhead_limit", m.limit);
        j.add("phases_at_ms", toJson(m.phasesAt));
        j.add("phases_at_awp_ms", toJson(m.phasesAtAwp));
        j.add("fwd_bwd_ms", m.fwdBwd.toJson());
        JsonObject attacks = new JsonObject();
        attacks.add("ours_ms", m.attackOurs.toJson());
        attacks.add("loop_input_only_ms", m.attackLoopInputOnly.toJson());
        attacks.add("loop_weight_gradients_ms", m.attackLoopWeightGrads.toJson());
        attacks.addProperty("ten_fwd_bwd_ms", 10 * fb);
        j.add("attack", attacks);
        JsonObject bookkeeping = new JsonObject();
        bookkeeping.addProperty("get_parameters_ms", m.getParametersMillis);
        bookkeeping.addProperty("has_gradient_all_ms", m.hasGradientMillis);
        bookkeeping.addProperty("toggle_requires_grad_all_ms", m.toggleMillis);
        bookkeeping.addProperty("per_at_awp_step_ms", m.bookkeepingMillis);
        j.add("bookkeeping", bookkeeping);
        JsonObject memory = new JsonObject();
        memory.addProperty("peak_reset_supported", m.peakResetWorks);
        memory.addProperty("at_peak_rss_bytes", m.peakAt);
        memory.addProperty("at_awp_peak_rss_bytes", m.peakAtAwp);
        memory.addProperty("extra_peak_rss_bytes", m.extraPeak());
        memory.addProperty("at_live_array_bytes", m.liveBytesAt);
        memory.addProperty("at_awp_live_array_bytes", m.liveBytesAtAwp);
        memory.addProperty("extra_live_array_bytes", m.extraLive());
        memory.addProperty(
                "extra_peak_rss_over_parameter_bytes", (double) m.extraPeak() / m.parameterBytes);
        j.add("memory", memory);
        return m;
    }

    // --- 3: the reference ---------------------------------------------------------------------

    private JsonObject runReference(
            ReferenceRunner reference, ModelResult m, int threads, int interop) {
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
            progress("  reference failed: %s", e.getMessage());
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

    // --- 4: leak check ------------------------------------------------------------------------

    private JsonObject leakCheck() {
        progress("leak check: %d AT-AWP steps", options.leakSteps);
        JsonObject leak = new JsonObject();
        try (StepFixture f =
                StepFixture.smallCnn(
                        options.leakWidth, options.leakBatch, options.attackSteps, options.seed)) {
            for (int i = 0; i < 5; i++) {
                f.atAwp();
            }
            NDManager root = NativeMemory.root(f.trainer.getManager());
            JsonArray checkpoints = new JsonArray();
            List<long[]> points = new ArrayList<>();
            for (int step = 0; step <= options.leakSteps; step++) {
                if (step % options.leakEvery == 0 || step == options.leakSteps) {
                    // collect Java garbage first, so that the JVM heap's share of RSS is settled
                    System.gc();
                    Runtime runtime = Runtime.getRuntime();
                    long rss = NativeMemory.rss();
                    long heap = runtime.totalMemory();
                    long[] point = {step, NativeMemory.liveArrays(root).size(), rss, rss - heap};
                    points.add(point);
                    JsonObject c = new JsonObject();
                    c.addProperty("step", point[0]);
                    c.addProperty("live_arrays", point[1]);
                    c.addProperty("live_array_bytes", NativeMemory.liveBytes(root));
                    c.addProperty("rss_bytes", rss);
                    c.addProperty("jvm_heap_committed_bytes", heap);
                    c.addProperty("rss_minus_heap_bytes", point[3]);
                    checkpoints.add(c);
                }
                if (step < options.leakSteps) {
                    f.atAwp();
                }
            }
            long[] first = points.get(0);
            long[] middle = points.get(points.size() / 2);
            long[] last = points.get(points.size() - 1);
            boolean countStable = points.stream().allMatch(p -> p[1] == first[1]);
            long rssGrowthSecondHalf = last[2] - middle[2];
            long nativeGrowthSecondHalf = last[3] - middle[3];
            leak.addProperty("model", f.label);
            leak.addProperty("steps", options.leakSteps);
            leak.add("checkpoints", checkpoints);
            leak.addProperty("live_arrays_stable", countStable);
            leak.addProperty("rss_growth_bytes", last[2] - first[2]);
            leak.addProperty("rss_growth_second_half_bytes", rssGrowthSecondHalf);
            leak.addProperty("rss_minus_heap_growth_second_half_bytes", nativeGrowthSecondHalf);
            // resident memory settles once the allocators have their working set: judge the
            // second half, outside the JVM heap (RSS - committed heap), allowing 16 MB of noise
            leak.addProperty("rss_stable", nativeGrowthSecondHalf < 16 * MB);
        }
        return leak;
    }

    // --- 5: scaling ---------------------------------------------------------------------------

    private JsonObject scaling() {
        JsonObject scaling = new JsonObject();
        JsonArray batches = new JsonArray();
        for (int b : options.scalingBatches) {
            progress("scaling: SmallCnn w%d b%d", options.width, b);
            batches.add(scalingPoint(options.width, b));
        }
        JsonArray widths = new JsonArray();
        for (int w : options.scalingWidths) {
            progress("scaling: SmallCnn w%d b%d", w, options.batch);
            widths.add(scalingPoint(w, options.batch));
        }
        scaling.add("batch", batches);
        scaling.add("width", widths);
        return scaling;
    }

    private JsonObject scalingPoint(int width, int batch) {
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

    // --- targets and table --------------------------------------------------------------------

    private static JsonObject targets(List<ModelResult> models, JsonObject leak) {
        JsonObject targets = new JsonObject();
        for (ModelResult m : models) {
            JsonObject t = new JsonObject();
            t.addProperty("overhead_ratio", m.ratio());
            t.addProperty("overhead_met", m.ratio() <= OVERHEAD_TARGET);
            if (m.reference != null && m.reference.has("ours_over_reference_at_awp")) {
                double r = m.reference.get("ours_over_reference_at_awp").getAsDouble();
                t.addProperty("ours_over_reference_at_awp", r);
                t.addProperty("reference_met", r <= REFERENCE_TARGET);
            }
            double memory = m.extraMemoryRatio();
            t.addProperty("extra_memory_over_parameter_bytes", memory);
            t.addProperty("memory_met", memory <= MEMORY_TARGET);
            targets.add(m.label, t);
        }
        if (leak != null) {
            targets.addProperty(
                    "leak_free",
                    leak.get("live_arrays_stable").getAsBoolean()
                            && leak.get("rss_stable").getAsBoolean());
        }
        return targets;
    }

    private void printTable(
            JsonObject settings,
            List<ModelResult> models,
            JsonObject leak,
            JsonObject scaling,
            int threads,
            int interop,
            String loadStart,
            String loadEnd,
            double minutes) {
        line("");
        line(
                "AWP benchmark: PGD-AT vs AT-AWP, %s, gamma %.2f, %s",
                settings.get("attack").getAsString(),
                StepFixture.GAMMA,
                settings.get("optimizer").getAsString());
        line(
                "machine: %s, %d cores, %s, Java %s; %s",
                settings.get("cpu").getAsString(),
                settings.get("cores").getAsInt(),
                settings.get("os").getAsString(),
                settings.get("java").getAsString(),
                settings.get("engine").getAsString());
        line(
                "threads: intra-op %d, inter-op %d (both sides); load average at start %s, at end"
                        + " %s; %.1f min",
                threads, interop, loadStart, loadEnd, minutes);
        line("times in ms: median [min-max]; AT and AT-AWP steps interleaved on the same model");

        line("");
        line("1. AWP overhead: step time of AT-AWP over AT (target <= %.2fx)", OVERHEAD_TARGET);
        line(
                "%-22s %-24s %-24s %-7s %-15s %-6s %-7s %s",
                "model",
                "AT",
                "AT-AWP",
                "ratio",
                "pairs [q1-q3]",
                "limit",
                "target",
                "(AT-AWP - AT) / fwd+bwd");
        for (ModelResult m : models) {
            line(
                    "%-22s %-24s %-24s %-7.3f %-15s %-6.3f %-7s %.2f",
                    m.label,
                    m.at.format(1),
                    m.atAwp.format(1),
                    m.ratio(),
                    String.format(Locale.ROOT, "%.3f-%.3f", m.pairRatios.q1(), m.pairRatios.q3()),
                    m.limit,
                    m.ratio() <= OVERHEAD_TARGET ? "met" : "MISSED",
                    (m.atAwp.median() - m.at.median()) / m.fwdBwd.median());
        }
        line(
                "  limit = (attack + 2 fwd/bwd) / (attack + 1 fwd/bwd), parts timed alone (section 2)");
        line(
                "  %-28s %-9s %-12s %-9s %-15s %s",
                "phases, median ms",
                "attack",
                "v(+perturb)",
                "fwd/bwd",
                "step(+restore)",
                "bookkeeping");
        for (ModelResult m : models) {
            line(
                    "  %-28s %-9.1f %-12s %-9.1f %-15.2f",
                    m.label + " AT",
                    m.phasesAt.get("attack").median(),
                    "-",
                    m.phasesAt.get("update_fwd_bwd").median(),
                    m.phasesAt.get("step").median());
            line(
                    "  %-28s %-9.1f %-12.1f %-9.1f %-15.2f %.2f (%.2f%% of the step)",
                    m.label + " AT-AWP",
                    m.phasesAtAwp.get("attack").median(),
                    m.phasesAtAwp.get("awp_v").median(),
                    m.phasesAtAwp.get("update_fwd_bwd").median(),
                    m.phasesAtAwp.get("step").median(),
                    m.bookkeepingMillis,
                    100 * m.bookkeepingMillis / m.atAwp.median());
        }
        line(
                "  bookkeeping = (steps + 2) x block.getParameters() + steps x hasGradient() on every"
                        + " weight + one requires_grad off/on toggle");

        line("");
        line("2. Attack cost: one PGD-%d pass", options.attackSteps);
        line(
                "%-22s %-22s %-22s %-22s %-13s %s",
                "model",
                "ours (library)",
                "loop, input grads",
                "loop, + weight grads",
                "10 x fwd/bwd",
                "ours / +weight grads, / 10 fwd/bwd");
        for (ModelResult m : models) {
            line(
                    "%-22s %-22s %-22s %-22s %-13.1f %.3f, %.3f",
                    m.label,
                    m.attackOurs.format(1),
                    m.attackLoopInputOnly.format(1),
                    m.attackLoopWeightGrads.format(1),
                    10 * m.fwdBwd.median(),
                    m.attackOurs.median() / m.attackLoopWeightGrads.median(),
                    m.attackOurs.median() / (10 * m.fwdBwd.median()));
        }

        line("");
        line(
                "3. Against the reference procedure in PyTorch (reference_step.py; target: ours"
                        + " AT-AWP <= %.1fx the reference's)",
                REFERENCE_TARGET);
        boolean any = false;
        for (ModelResult m : models) {
            if (m.reference == null || !m.reference.has("ours_over_reference_at_awp")) {
                String why =
                        m.referenceSkipped != null
                                ? m.referenceSkipped
                                : m.reference == null
                                        ? "not run"
                                        : m.reference.get("error").getAsString();
                line("  %s: skipped: %s", m.label, firstLine(why));
                continue;
            }
            if (!any) {
                line(
                        "%-22s %-22s %-22s %-7s %-7s %-22s %-7s %s",
                        "model",
                        "ours AT-AWP",
                        "ref AT-AWP",
                        "ratio",
                        "target",
                        "ref AT",
                        "ours/ref AT",
                        "ref AWP overhead");
                any = true;
            }
            JsonObject r = m.reference;
            double ratio = r.get("ours_over_reference_at_awp").getAsDouble();
            line(
                    "%-22s %-22s %-22s %-7.3f %-7s %-22s %-11.3f %.3f",
                    m.label,
                    m.atAwp.format(1),
                    format(r.getAsJsonObject("at_awp_ms")),
                    ratio,
                    ratio <= REFERENCE_TARGET ? "met" : "MISSED",
                    format(r.getAsJsonObject("at_ms")),
                    r.get("ours_over_reference_at").getAsDouble(),
                    r.get("reference_overhead_ratio").getAsDouble());
        }
        if (any) {
            line(
                    "  the two processes run one after the other, not interleaved: on a loaded"
                            + " machine compare the load averages");
        }
        for (ModelResult m : models) {
            if (m.reference == null || !m.reference.has("phases_at_awp_ms")) {
                continue;
            }
            JsonObject p = m.reference.getAsJsonObject("phases_at_awp_ms");
            line(
                    "  %s, reference AT-AWP phases: attack %.1f, v %.1f + perturb %.1f, fwd/bwd"
                            + " %.1f, step %.1f + restore %.1f (torch %s, threads %d/%d)",
                    m.label,
                    median(p, "attack"),
                    median(p, "awp_v"),
                    median(p, "perturb"),
                    median(p, "update_fwd_bwd"),
                    median(p, "step"),
                    median(p, "restore"),
                    m.reference.get("torch_version").getAsString(),
                    m.reference.get("threads").getAsInt(),
                    m.reference.get("interop_threads").getAsInt());
            line(
                    "  %s, same work on both engines: fwd/bwd ours/ref %.3f; input-gradient"
                            + " PGD ours/ref %.3f",
                    m.label,
                    m.reference.get("ours_over_reference_fwd_bwd").getAsDouble(),
                    m.reference.get("ours_over_reference_attack_input_only").getAsDouble());
        }

        line("");
        line(
                "4. Memory: extra native memory of AT-AWP over AT (target <= %.1fx the parameter"
                        + " bytes)",
                MEMORY_TARGET);
        line(
                "%-22s %-12s %-16s %-18s %-16s %-8s %-7s %s",
                "model",
                "params MB",
                "perturbed MB",
                "live arrays +MB",
                "peak RSS +MB",
                "xparams",
                "target",
                "reference: peak RSS +MB (xparams)");
        for (ModelResult m : models) {
            double x = m.extraMemoryRatio();
            String ref = "-";
            if (m.reference != null && m.reference.has("raw")) {
                JsonElement mem = m.reference.getAsJsonObject("raw").get("memory");
                if (mem != null && mem.isJsonObject()) {
                    JsonObject o = mem.getAsJsonObject();
                    long extra =
                            o.get("at_awp_peak_rss_bytes").getAsLong()
                                    - o.get("at_peak_rss_bytes").getAsLong();
                    ref =
                            String.format(
                                    Locale.ROOT,
                                    "%.1f (%.2f)",
                                    extra / MB,
                                    (double) extra / m.parameterBytes);
                }
            }
            line(
                    "%-22s %-12.2f %-16.2f %-18.2f %-16s %-8.2f %-7s %s",
                    m.label,
                    m.parameterBytes / MB,
                    m.perturbedBytes / MB,
                    m.extraLive() / MB,
                    String.format(Locale.ROOT, "%.1f", m.extraPeak() / MB)
                            + (m.rssResolves() ? "" : " (noise)"),
                    x,
                    x <= MEMORY_TARGET ? "met" : "MISSED",
                    ref);
        }
        line(
                "  peak RSS over %d AT steps, then over %d AT-AWP steps (VmHWM, reset between%s);"
                        + " judged: max(live arrays, peak RSS), live arrays alone below %d MB of"
                        + " parameters",
                options.memorySteps,
                options.memorySteps,
                models.isEmpty() || models.get(0).peakResetWorks ? "" : " - RESET UNSUPPORTED",
                RSS_RESOLUTION_BYTES >> 20);
        if (leak != null) {
            JsonArray c = leak.getAsJsonArray("checkpoints");
            JsonObject first = c.get(0).getAsJsonObject();
            JsonObject last = c.get(c.size() - 1).getAsJsonObject();
            line(
                    "  leak check, %d AT-AWP steps on %s: live NDArrays %d -> %d (%s); RSS %.1f ->"
                            + " %.1f MB, second half %+.1f MB, outside the JVM heap %+.1f MB (%s)",
                    leak.get("steps").getAsInt(),
                    leak.get("model").getAsString(),
                    first.get("live_arrays").getAsLong(),
                    last.get("live_arrays").getAsLong(),
                    leak.get("live_arrays_stable").getAsBoolean() ? "stable" : "GROWING",
                    first.get("rss_bytes").getAsLong() / MB,
                    last.get("rss_bytes").getAsLong() / MB,
                    leak.get("rss_growth_second_half_bytes").getAsLong() / MB,
                    leak.get("rss_minus_heap_growth_second_half_bytes").getAsLong() / MB,
                    leak.get("rss_stable").getAsBoolean() ? "stable" : "GROWING");
        }

        line("");
        line("5. Scaling: SmallCnn step time");
        line(
                "%-7s %-7s %-11s %-24s %-24s %-7s %s",
                "width", "batch", "params", "AT", "AT-AWP", "ratio", "AT-AWP ms/example");
        for (String kind : new String[] {"batch", "width"}) {
            for (JsonElement e : scaling.getAsJsonArray(kind)) {
                JsonObject p = e.getAsJsonObject();
                double awp = p.getAsJsonObject("at_awp_ms").get("median").getAsDouble();
                line(
                        "%-7d %-7d %-11d %-24s %-24s %-7.3f %.2f",
                        p.get("width").getAsInt(),
                        p.get("batch").getAsInt(),
                        p.get("parameters").getAsLong(),
                        format(p.getAsJsonObject("at_ms")),
                        format(p.getAsJsonObject("at_awp_ms")),
                        p.get("ratio").getAsDouble(),
                        awp / p.get("batch").getAsInt());
            }
        }
    }

    private static String format(JsonObject stats) {
        return String.format(
                Locale.ROOT,
                "%.1f [%.1f-%.1f]",
                stats.get("median").getAsDouble(),
                stats.get("min").getAsDouble(),
                stats.get("max").getAsDouble());
    }

    private static double median(JsonObject phases, String name) {
        JsonObject stats = phases.getAsJsonObject(name);
        return stats == null ? Double.NaN : stats.get("median").getAsDouble();
    }

    private static JsonObject toJson(Map<String, Stats> stats) {
        JsonObject json = new JsonObject();
        stats.forEach((k, v) -> json.add(k, v.toJson()));
        return json;
    }

    // --- small helpers ------------------------------------------------------------------------

    private void line(String format, Object... args) {
        table.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static void progress(String format, Object... args) {
        System.out.println("[benchmark] " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    /** The engine's thread count through DJL's JniUtils (a runtime dependency), or the request. */
    private static int engineThreads(String method, int requested) {
        try {
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            return (Integer) jni.getMethod(method).invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return requested;
        }
    }

    private static String loadAverage() {
        try {
            String[] parts =
                    Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII)
                            .trim()
                            .split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }
}
