package dev.awp.examples.benchmark;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
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
 *       batch, seed and thread counts; target: our AT-AWP step ≤ 0.75× the reference's (issue #24).
 *       Skipped with a message when Python's PyTorch is absent.
 *   <li><b>Memory</b>: the extra peak resident memory of AT-AWP over AT and the extra bytes of live
 *       arrays (target ≤ 1.0× the parameter bytes: the perturbation itself, issue #24), and a leak
 *       check: live NDArray count and resident memory over 500 AT-AWP steps.
 *   <li><b>Scaling</b>: step time, extra memory and the reference procedure against the batch size
 *       and the SmallCnn width, a ratio per row.
 *   <li><b>Guards</b>: the cost of the step's checks and of its rollback, one switch at a time
 *       ({@link GuardCost}).
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
    static final double REFERENCE_TARGET = 0.75;
    static final double MEMORY_TARGET = 1.0;
    static final double MB = 1024.0 * 1024.0;

    /** Below this many parameter bytes, peak RSS differences are allocator noise. */
    static final long RSS_RESOLUTION_BYTES = 8L << 20;

    private final BenchmarkOptions options;
    private final BenchmarkTable table;
    private final JsonObject report = new JsonObject();

    private AwpBenchmark(BenchmarkOptions options) {
        this.options = options;
        this.table = new BenchmarkTable(options);
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
            table.line(
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
                m.reference = ReferenceComparison.run(options, reference, m, threads, interop);
            } else {
                m.referenceSkipped = referenceSkipped;
            }
        }
        JsonObject leak = options.leakSteps > 0 ? LeakCheck.run(options) : null;
        JsonObject scaling = ScalingSweep.run(options, reference, threads, interop);

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
        report.add("targets", BenchmarkTable.targets(models, leak));

        table.print(settings, models, leak, scaling, threads, interop, loadStart, loadEnd, minutes);
        GuardCost.print(table, models);
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

        if (options.guardReps > 0) {
            progress("  guards: %d rounds", options.guardReps);
            m.json.add("guards", GuardCost.run(f, options.guardReps));
        }

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

    private static JsonObject toJson(Map<String, Stats> stats) {
        JsonObject json = new JsonObject();
        stats.forEach((k, v) -> json.add(k, v.toJson()));
        return json;
    }

    // --- small helpers ------------------------------------------------------------------------

    static void progress(String format, Object... args) {
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

    static String loadAverage() {
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

    static String cpuModel() {
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

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }
}
