package dev.awp.examples.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The benchmark's settings, from the command line. Every option is also in {@link #usage()}. */
final class BenchmarkOptions {

    int threads = 1;
    int interopThreads = 1;
    long seed = 42;
    int attackSteps = 10;
    int warmup = 2;
    int reps = 9;
    int resnetWarmup = 1;
    int resnetReps = 5;
    int phaseReps = 3;
    int guardReps = 5;
    int width = 16;
    int batch = 32;
    int resnetBatch = 8;
    boolean resnet = true;
    int memorySteps = 2;
    int leakSteps = 500;
    int leakEvery = 50;
    int leakWidth = 8;
    int leakBatch = 8;
    List<Integer> scalingBatches = List.of(8, 16, 32, 64, 128);
    List<Integer> scalingWidths = List.of(8, 16, 32, 64);
    int scalingReps = 3;
    boolean python = true;
    String pythonExecutable = "/usr/bin/python3";
    Path script;
    long pythonTimeoutSeconds = 900;
    Path output = Path.of("target", "benchmark", "benchmark.json");

    static BenchmarkOptions parse(String... args) {
        BenchmarkOptions o = new BenchmarkOptions();
        for (String arg : args) {
            if ("--quick".equals(arg)) {
                o.quick();
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if ("--quick".equals(arg)) {
                continue;
            }
            if ("--no-resnet".equals(arg)) {
                o.resnet = false;
                continue;
            }
            if ("--no-python".equals(arg)) {
                o.python = false;
                continue;
            }
            if ("--help".equals(arg) || "-h".equals(arg)) {
                throw new IllegalArgumentException(usage());
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value\n" + usage());
            }
            String value = args[++i];
            switch (arg) {
                case "--threads" -> o.threads = positive(arg, value);
                case "--interop-threads" -> o.interopThreads = positive(arg, value);
                case "--seed" -> o.seed = Long.parseLong(value);
                case "--attack-steps" -> o.attackSteps = positive(arg, value);
                case "--warmup" -> o.warmup = nonNegative(arg, value);
                case "--reps" -> o.reps = positive(arg, value);
                case "--resnet-warmup" -> o.resnetWarmup = nonNegative(arg, value);
                case "--resnet-reps" -> o.resnetReps = positive(arg, value);
                case "--phase-reps" -> o.phaseReps = positive(arg, value);
                case "--guard-reps" -> o.guardReps = nonNegative(arg, value);
                case "--width" -> o.width = positive(arg, value);
                case "--batch" -> o.batch = positive(arg, value);
                case "--resnet-batch" -> o.resnetBatch = positive(arg, value);
                case "--memory-steps" -> o.memorySteps = positive(arg, value);
                case "--leak-steps" -> o.leakSteps = nonNegative(arg, value);
                case "--leak-every" -> o.leakEvery = positive(arg, value);
                case "--leak-width" -> o.leakWidth = positive(arg, value);
                case "--leak-batch" -> o.leakBatch = positive(arg, value);
                case "--scaling-batches" -> o.scalingBatches = list(arg, value);
                case "--scaling-widths" -> o.scalingWidths = list(arg, value);
                case "--scaling-reps" -> o.scalingReps = positive(arg, value);
                case "--python" -> o.pythonExecutable = value;
                case "--script" -> o.script = Path.of(value);
                case "--python-timeout" -> o.pythonTimeoutSeconds = positive(arg, value);
                case "--output" -> o.output = Path.of(value);
                default ->
                        throw new IllegalArgumentException(
                                "unknown option " + arg + "\n" + usage());
            }
        }
        if (o.script == null) {
            for (Path candidate :
                    List.of(
                            Path.of("src", "main", "python", "reference_step.py"),
                            Path.of(
                                    "awp-examples",
                                    "src",
                                    "main",
                                    "python",
                                    "reference_step.py"))) {
                if (Files.isRegularFile(candidate)) {
                    o.script = candidate;
                    break;
                }
            }
        }
        return o;
    }

    /** A smoke run: smaller batches, fewer repetitions, a short leak check. */
    private void quick() {
        warmup = 1;
        reps = 3;
        resnetWarmup = 1;
        resnetReps = 2;
        phaseReps = 1;
        guardReps = 1;
        batch = 16;
        resnetBatch = 4;
        memorySteps = 1;
        leakSteps = 50;
        leakEvery = 10;
        scalingBatches = List.of(8, 16);
        scalingWidths = List.of(8, 16);
        scalingReps = 2;
    }

    static String usage() {
        return String.join(
                "\n",
                "usage: AwpBenchmark [options]",
                "  --quick                 smoke run (small batches, few repetitions)",
                "  --threads N             PyTorch intra-op threads, both sides (default 1)",
                "  --interop-threads N     PyTorch inter-op threads, both sides (default 1)",
                "  --seed N                seed of weights and data (default 42)",
                "  --attack-steps N        PGD steps (default 10)",
                "  --width N --batch N     SmallCnn width and batch (default 16, 32)",
                "  --warmup N --reps N     SmallCnn untimed and timed steps of each kind (2, 9)",
                "  --resnet-batch N        PreActResNet-18 batch (default 8)",
                "  --resnet-warmup N --resnet-reps N   PreActResNet-18 steps (1, 5)",
                "  --no-resnet             skip PreActResNet-18",
                "  --phase-reps N          steps timed phase by phase (default 3)",
                "  --guard-reps N          rounds of the guards section, 0 to skip (default 5)",
                "  --memory-steps N        steps per peak-memory window (default 2)",
                "  --leak-steps N --leak-every N --leak-width N --leak-batch N (500, 50, 8, 8)",
                "  --scaling-batches a,b,c --scaling-widths a,b,c --scaling-reps N",
                "                          (8,16,32,64,128; 8,16,32,64; 3)",
                "  --python PATH           Python with PyTorch (default /usr/bin/python3)",
                "  --script PATH           reference_step.py (default: found from the cwd)",
                "  --no-python             skip the comparison with the reference",
                "  --python-timeout S      per reference run (default 900)",
                "  --output PATH           JSON report (default target/benchmark/benchmark.json)");
    }

    private static int positive(String name, String value) {
        int n = Integer.parseInt(value);
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
        }
        return n;
    }

    private static int nonNegative(String name, String value) {
        int n = Integer.parseInt(value);
        if (n < 0) {
            throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
        }
        return n;
    }

    private static List<Integer> list(String name, String value) {
        List<Integer> values = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                values.add(positive(name, part.trim()));
            }
        }
        return List.copyOf(values);
    }
}
