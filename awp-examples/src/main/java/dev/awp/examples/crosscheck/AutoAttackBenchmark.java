package dev.awp.examples.crosscheck;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.NativeAllocator;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.model.Normalization;
import dev.awp.djl.model.PreActResNet18;
import dev.awp.djl.model.SmallCnn;
import dev.awp.examples.ExampleArgs;
import dev.awp.examples.PyTorchThreads;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Times AutoAttack's standard attacks in awp and in the reference implementation
 * (fra31/auto-attack) side by side on this machine: the same images, the same model architecture,
 * the same budgets and thread count, the two sides taking turns over several rounds; prints each
 * attack's median time on both sides and their ratio.
 *
 * <p>The reference side is {@code src/main/python/autoattack_benchmark.py}, started as a child
 * process with the reference's checkout ({@code --autoattack}; fetch it with {@code git clone
 * https://github.com/fra31/auto-attack}, it is never committed). The model ({@code --model
 * preactresnet18}, the default, or {@code smallcnn}) has random weights on each side; every image
 * is labelled with the model's own clean prediction and the budget ε is tiny (10⁻⁴, L∞), so no
 * attack breaks an example and both sides spend each attack's whole budget on every image — the
 * same work whatever the weights, which the printed queries per example confirm. This is an
 * evaluation's worst case, a fully robust model. The budgets are the standard version's scaled down
 * so that a CPU run stays short: APGD-CE and APGD-T/FAB-T {@code --iterations} (100, as standard),
 * APGD-T and FAB-T {@code --targets} target classes (1; standard is 9, and each target repeats the
 * same work), Square {@code --queries} (500; standard 5,000).
 *
 * <p>Each side first runs every attack once, untimed, with a budget of 2 on one batch (class
 * loading, JIT compilation and the engine's first calls); the reference does so in each of its
 * processes, one per round.
 *
 * <p>The "passes per image" columns count forward passes of the model (a forward-backward counts
 * once): for awp the attack's own (its report's queries) plus the clean pass; for the reference
 * every pass inside {@code run_standard_evaluation}, its start-up checks of the model included, so
 * it is higher at the same budget.
 *
 * <p>Besides each attack's wall time, both sides measure the CPU time their process spent on it
 * (the JVM's {@code getProcessCpuTime}, Python's {@code time.process_time}: every thread of the
 * process, the JVM's compiler and garbage collector included) and a second table compares those. On
 * a machine shared with other jobs the wall times measure the other jobs as much as the attacks
 * (each side gets what the scheduler leaves it while it runs); the CPU times much less so.
 *
 * <p>Both sides get glibc's malloc thresholds fixed ({@link NativeAllocator}; the child through
 * {@code GLIBC_TUNABLES}) unless {@code --default-malloc} is given, and the same {@code
 * ONEDNN_MAX_CPU_ISA} as this JVM.
 *
 * <pre>
 * java ... dev.awp.examples.crosscheck.AutoAttackBenchmark --autoattack /tmp/auto-attack [--model
 *     preactresnet18|smallcnn] [--examples 8] [--batch 8] [--threads 1] [--rounds 2]
 *     [--iterations 100] [--targets 1] [--queries 500] [--attacks apgd-ce,apgd-t,fab-t,square,fab]
 *     [--python /usr/bin/python3] [--script PATH] [--out DIR] [--default-malloc]
 * </pre>
 */
public final class AutoAttackBenchmark {

    private static final List<String> ATTACKS =
            List.of("apgd-ce", "apgd-t", "fab-t", "square", "fab");

    /** The standard version's attacks, the default of {@code --attacks}. */
    private static final List<String> STANDARD = ATTACKS.subList(0, 4);

    private static final double EPSILON = 1e-4;
    private static final int CLASSES = 10;

    private AutoAttackBenchmark() {}

    /**
     * Runs the benchmark and prints the table.
     *
     * @param args see the class documentation
     * @throws IOException if the reference fails or the files cannot be written
     * @throws InterruptedException if interrupted while the reference runs
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        runExample(args);
    }

    /**
     * Runs the benchmark and prints the table.
     *
     * @param args see the class documentation
     * @return per attack, the median seconds of awp and of the reference (absent without {@code
     *     --autoattack})
     * @throws IOException if the reference fails or the files cannot be written
     * @throws InterruptedException if interrupted while the reference runs
     */
    public static Map<String, double[]> runExample(String... args)
            throws IOException, InterruptedException {
        ExampleArgs options =
                ExampleArgs.parse(
                        args,
                        Set.of(
                                "autoattack",
                                "model",
                                "examples",
                                "batch",
                                "threads",
                                "rounds",
                                "iterations",
                                "targets",
                                "queries",
                                "attacks",
                                "python",
                                "script",
                                "out",
                                "seed"),
                        Set.of("default-malloc"));
        String modelName = modelName(options);
        int examples = options.integer("examples", 8, 1);
        int batch = options.integer("batch", 8, 1);
        int rounds = options.integer("rounds", 2, 1);
        int iterations = options.integer("iterations", 100, 1);
        int targets = options.integer("targets", 1, 1);
        int queries = options.integer("queries", 500, 1);
        int seed = options.integer("seed", 0, 0);
        List<String> attacks =
                List.of(options.string("attacks", String.join(",", STANDARD)).split(","));
        for (String attack : attacks) {
            if (!ATTACKS.contains(attack)) {
                throw new IllegalArgumentException(
                        "--attacks takes " + ATTACKS + " but had " + attack);
            }
        }
        boolean fixMalloc = !options.has("default-malloc");
        boolean mallocFixed = fixMalloc && NativeAllocator.retainFreedMemory();
        int threads = PyTorchThreads.use(options.integer("threads", 1, 1));
        Path out = Path.of(options.string("out", "target/autoattack-benchmark"));
        Files.createDirectories(out);
        String reference = options.string("autoattack", null);
        Path script = Path.of(options.string("script", defaultScript()));

        Engine.getInstance().setRandomSeed(seed);
        byte[] pixels = new byte[examples * ImageDataset.IMAGE_BYTES];
        new Random(seed).nextBytes(pixels);
        Path images = out.resolve("images.f32");
        writeFloats(pixels, images);

        List<Attack> standard = scaled(iterations, targets, queries);
        Map<String, List<Double>> awpSeconds = new LinkedHashMap<>();
        Map<String, List<Double>> referenceSeconds = new LinkedHashMap<>();
        Map<String, List<Double>> awpCpuSeconds = new LinkedHashMap<>();
        Map<String, List<Double>> referenceCpuSeconds = new LinkedHashMap<>();
        Map<String, String> awpWork = new LinkedHashMap<>();
        Map<String, String> referenceWork = new LinkedHashMap<>();
        System.out.printf(
                Locale.ROOT,
                "AutoAttack benchmark: %s, %d images (3x32x32) in batches of %d, %d thread(s),"
                        + " L-inf eps %.0e, every image labelled by the model's own prediction;"
                        + " budgets: iterations %d, targets %d, Square queries %d; malloc"
                        + " thresholds %s; ONEDNN_MAX_CPU_ISA=%s%n",
                modelName,
                examples,
                batch,
                threads,
                EPSILON,
                iterations,
                targets,
                queries,
                mallocFixed ? "fixed" : "glibc's defaults",
                System.getenv().getOrDefault("ONEDNN_MAX_CPU_ISA", "(unset)"));
        try (Model model = Model.newInstance("autoattack-benchmark")) {
            Block block = block(modelName);
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
            ImageDataset data =
                    ImageDataset.of(
                            "random images labelled by the model",
                            pixels,
                            predictions(block, images, examples, model.getNDManager()),
                            CLASSES);
            // untimed warm-up (class loading, JIT, the engine's first calls), as on the reference
            // side: each attack once with a budget of 2 on the first batch
            List<Attack> tiny = scaled(2, 1, 2);
            ImageDataset first = data.subset(Math.min(batch, examples), seed);
            for (int k = 0; k < ATTACKS.size(); k++) {
                if (attacks.contains(ATTACKS.get(k))) {
                    runAwp(
                            block,
                            first,
                            tiny.get(k),
                            batch,
                            seed,
                            new ArrayList<>(),
                            new ArrayList<>(),
                            "warm-up, ");
                }
            }
            for (int round = 0; round < rounds; round++) {
                boolean awpFirst = round % 2 == 0;
                for (int side = 0; side < 2; side++) {
                    if ((side == 0) == awpFirst) {
                        for (int k = 0; k < ATTACKS.size(); k++) {
                            String name = ATTACKS.get(k);
                            if (attacks.contains(name)) {
                                awpWork.put(
                                        name,
                                        runAwp(
                                                block,
                                                data,
                                                standard.get(k),
                                                batch,
                                                seed,
                                                awpSeconds.computeIfAbsent(
                                                        name, n -> new ArrayList<>()),
                                                awpCpuSeconds.computeIfAbsent(
                                                        name, n -> new ArrayList<>()),
                                                ""));
                            }
                        }
                    } else if (reference != null) {
                        JsonObject result =
                                runReference(
                                        options.string("python", "/usr/bin/python3"),
                                        script,
                                        reference,
                                        images,
                                        out.resolve("reference-" + round + ".json"),
                                        List.of(
                                                "--count", Integer.toString(examples),
                                                "--model", modelName,
                                                "--batch", Integer.toString(batch),
                                                "--threads", Integer.toString(threads),
                                                "--seed", Integer.toString(seed),
                                                "--epsilon", Double.toString(EPSILON),
                                                "--iterations", Integer.toString(iterations),
                                                "--targets", Integer.toString(targets),
                                                "--queries", Integer.toString(queries),
                                                "--attacks", String.join(",", attacks)),
                                        mallocFixed);
                        JsonObject perAttack = result.getAsJsonObject("attacks");
                        for (String name : attacks) {
                            JsonObject one = perAttack.getAsJsonObject(name);
                            referenceSeconds
                                    .computeIfAbsent(name, n -> new ArrayList<>())
                                    .add(one.get("seconds").getAsDouble());
                            referenceCpuSeconds
                                    .computeIfAbsent(name, n -> new ArrayList<>())
                                    .add(one.get("cpu_seconds").getAsDouble());
                            referenceWork.put(
                                    name,
                                    String.format(
                                            Locale.ROOT,
                                            "%.0f %%, %.0f",
                                            100 * one.get("robust").getAsDouble(),
                                            one.get("queries_per_example").getAsDouble()));
                        }
                        System.out.printf(Locale.ROOT, "round %d: reference done%n", round + 1);
                    }
                }
                System.out.printf(Locale.ROOT, "round %d of %d done%n", round + 1, rounds);
            }
        }
        Map<String, double[]> medians =
                BenchmarkTables.print(
                        attacks, awpSeconds, referenceSeconds, awpWork, referenceWork, reference);
        BenchmarkTables.printCpu(attacks, awpCpuSeconds, referenceCpuSeconds, reference);
        return medians;
    }

    /** The CPU time of this process (every thread), in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String runAwp(
            Block block,
            ImageDataset data,
            Attack attack,
            int batch,
            int seed,
            List<Double> seconds,
            List<Double> cpuSeconds,
            String label) {
        long started = System.nanoTime();
        long cpuStarted = processCpuNanos();
        RobustnessReport report =
                RobustnessEvaluator.builder()
                        .optAttacks(List.of(attack))
                        .optBatchSize(batch)
                        .optSeed(seed)
                        .optNoProgress()
                        .build()
                        .evaluate(block, data);
        seconds.add((System.nanoTime() - started) / 1e9);
        cpuSeconds.add((processCpuNanos() - cpuStarted) / 1e9);
        AttackResult result = report.attacks().get(0);
        System.out.printf(
                Locale.ROOT,
                "%sawp %s: %.2f s (CPU %.2f s), robust %.3f%n",
                label,
                attack.name(),
                seconds.get(seconds.size() - 1),
                cpuSeconds.get(cpuSeconds.size() - 1),
                report.robustAccuracy().value());
        // + 1: the clean pass, which the reference's count includes
        return String.format(
                Locale.ROOT,
                "%.0f %%, %.0f",
                100 * report.robustAccuracy().value(),
                result.queriesPerExample() + 1);
    }

    private static JsonObject runReference(
            String python,
            Path script,
            String checkout,
            Path images,
            Path output,
            List<String> arguments,
            boolean mallocFixed)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(python);
        command.add(script.toString());
        command.add("--autoattack");
        command.add(checkout);
        command.add("--images");
        command.add(images.toString());
        command.add("--output");
        command.add(output.toString());
        command.addAll(arguments);
        Files.deleteIfExists(output);
        Path log = output.resolveSibling(output.getFileName() + ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // the thread count is the script's argument, not an inherited setting
        builder.environment().remove("OMP_NUM_THREADS");
        builder.environment().remove("MKL_NUM_THREADS");
        if (mallocFixed) {
            builder.environment().put("GLIBC_TUNABLES", NativeAllocator.GLIBC_TUNABLES);
        } else {
            builder.environment().remove("GLIBC_TUNABLES");
        }
        Process process = builder.start();
        if (!process.waitFor(6, TimeUnit.HOURS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(
                    "the reference failed: "
                            + String.join(" ", command)
                            + "\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
        }
        System.out.print(Files.readString(log, StandardCharsets.UTF_8));
        return JsonParser.parseString(Files.readString(output, StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    /** The standard version's attacks at the given budgets, L∞ ε = 10⁻⁴. */
    private static List<Attack> scaled(int iterations, int targets, int queries) {
        ThreatModel threatModel = ThreatModel.linf(EPSILON);
        return List.of(
                Attacks.apgdCe().withThreatModel(threatModel).withSteps(iterations),
                Attacks.apgdT()
                        .withThreatModel(threatModel)
                        .withSteps(iterations)
                        .withTargetClasses(targets),
                Attacks.fabT()
                        .withThreatModel(threatModel)
                        .withSteps(iterations)
                        .withTargetClasses(targets),
                Attacks.square().withThreatModel(threatModel).withQueries(queries),
                // untargeted FAB, one restart (not in the standard version; --attacks ...,fab)
                Attacks.fab().withThreatModel(threatModel).withSteps(iterations).withRestarts(1));
    }

    /**
     * The {@code --model} option of the benchmarks on awp's models in both engines.
     *
     * @throws IllegalArgumentException unless it is {@code preactresnet18} (the default) or {@code
     *     smallcnn}
     */
    static String modelName(ExampleArgs options) {
        String name = options.string("model", "preactresnet18");
        if (!name.equals("preactresnet18") && !name.equals("smallcnn")) {
            throw new IllegalArgumentException(
                    "--model must be preactresnet18 or smallcnn but was " + name);
        }
        return name;
    }

    static Block block(String name) {
        if (name.equals("smallcnn")) {
            return SmallCnn.builder()
                    .setNumClasses(CLASSES)
                    .optNormalization(Normalization.cifar10())
                    .build();
        }
        return PreActResNet18.builder()
                .setNumClasses(CLASSES)
                .optNormalization(Normalization.cifar10())
                .build();
    }

    /** The model's clean predictions on the images (inference mode). */
    private static int[] predictions(Block block, Path images, int count, NDManager parent)
            throws IOException {
        try (NDManager manager = parent.newSubManager()) {
            ByteBuffer bytes =
                    ByteBuffer.wrap(Files.readAllBytes(images)).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[count * ImageDataset.IMAGE_BYTES];
            bytes.asFloatBuffer().get(values);
            NDArray x = manager.create(values, new Shape(count, 3, 32, 32));
            NDArray logits =
                    block.forward(new ParameterStore(manager, false), new NDList(x), false).head();
            long[] predicted = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
            return Arrays.stream(predicted).mapToInt(Math::toIntExact).toArray();
        }
    }

    private static void writeFloats(byte[] pixels, Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4 * pixels.length).order(ByteOrder.LITTLE_ENDIAN);
        for (byte pixel : pixels) {
            buffer.putFloat((pixel & 0xff) / 255f);
        }
        Files.write(file, buffer.array());
    }

    private static String defaultScript() {
        Path inModule = Path.of("src/main/python/autoattack_benchmark.py");
        return Files.isRegularFile(inModule)
                ? inModule.toString()
                : "awp-examples/src/main/python/autoattack_benchmark.py";
    }
}
