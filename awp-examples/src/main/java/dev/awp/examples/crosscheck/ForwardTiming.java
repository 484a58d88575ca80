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
import com.google.common.math.Quantiles;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.awp.djl.NativeAllocator;
import dev.awp.examples.ExampleArgs;
import dev.awp.examples.PyTorchThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The time of one inference forward pass of the benchmark's model in awp and in PyTorch, side by
 * side: the whole of Square's work per query at large batches, so its ratio is what the two engine
 * builds' kernels allow. Rounds alternate the sides; each round times {@code --passes} passes after
 * {@code --warmup} untimed ones, on each side in a process of its own for the reference ({@code
 * forward_timing.py}) and in this JVM for awp. Prints each round's median per pass and the ratio of
 * the medians over rounds.
 *
 * <pre>
 * java ... dev.awp.examples.crosscheck.ForwardTiming [--model preactresnet18|smallcnn]
 *     [--batch 64] [--passes 10] [--warmup 3] [--rounds 4] [--threads 1] [--python /usr/bin/python3]
 *     [--no-reference]
 * </pre>
 *
 * <p>Run it with the same {@code ONEDNN_MAX_CPU_ISA} as the AutoAttack benchmark: the variable is
 * inherited by the reference process and printed.
 */
public final class ForwardTiming {

    private ForwardTiming() {}

    /**
     * Runs the timing from the command line.
     *
     * @param args the options
     * @throws IOException if the reference cannot be run
     * @throws InterruptedException if interrupted while the reference runs
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        runExample(args);
    }

    /**
     * Runs the timing.
     *
     * @param args the options
     * @return the medians over rounds, awp's then the reference's (NaN without it), in ms
     * @throws IOException if the reference cannot be run
     * @throws InterruptedException if interrupted while the reference runs
     */
    public static double[] runExample(String... args) throws IOException, InterruptedException {
        ExampleArgs options =
                ExampleArgs.parse(
                        args,
                        Set.of("model", "batch", "passes", "warmup", "rounds", "threads", "python"),
                        Set.of("no-reference"));
        String modelName = AutoAttackBenchmark.modelName(options);
        int batch = options.integer("batch", 64, 1);
        int passes = options.integer("passes", 10, 1);
        int warmup = options.integer("warmup", 3, 0);
        int rounds = options.integer("rounds", 4, 1);
        boolean withReference = !options.has("no-reference");
        boolean mallocFixed = NativeAllocator.retainFreedMemory();
        int threads = PyTorchThreads.use(options.integer("threads", 1, 1));
        System.out.printf(
                Locale.ROOT,
                "Forward timing: %s, batch %d, inference mode, %d thread(s), %d + %d passes per"
                        + " round, %d rounds; malloc thresholds %s; ONEDNN_MAX_CPU_ISA=%s%n",
                modelName,
                batch,
                threads,
                warmup,
                passes,
                rounds,
                mallocFixed ? "fixed" : "glibc's defaults",
                System.getenv().getOrDefault("ONEDNN_MAX_CPU_ISA", "(unset)"));
        List<Double> awp = new ArrayList<>();
        List<Double> reference = new ArrayList<>();
        try (Model model = Model.newInstance("forward-timing")) {
            Block block = AutoAttackBenchmark.block(modelName);
            model.setBlock(block);
            NDManager manager = model.getNDManager();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            Engine.getInstance().setRandomSeed(0);
            NDArray x = manager.randomUniform(0, 1, new Shape(batch, 3, 32, 32));
            for (int round = 0; round < rounds; round++) {
                boolean awpFirst = round % 2 == 0;
                for (int side = 0; side < 2; side++) {
                    if ((side == 0) == awpFirst) {
                        awp.add(
                                Quantiles.median()
                                        .compute(awpPasses(block, manager, x, warmup, passes)));
                    } else if (withReference) {
                        reference.add(
                                Quantiles.median()
                                        .compute(
                                                referencePasses(
                                                        options.string(
                                                                "python", "/usr/bin/python3"),
                                                        modelName,
                                                        batch,
                                                        warmup,
                                                        passes,
                                                        threads,
                                                        mallocFixed)));
                    }
                }
                System.out.printf(
                        Locale.ROOT,
                        "round %d: awp %.1f ms, reference %s%n",
                        round + 1,
                        awp.get(round),
                        withReference
                                ? String.format(Locale.ROOT, "%.1f ms", reference.get(round))
                                : "not run");
            }
        }
        double awpMedian = Quantiles.median().compute(awp);
        double referenceMedian = withReference ? Quantiles.median().compute(reference) : Double.NaN;
        System.out.printf(
                Locale.ROOT,
                "median over rounds: awp %.1f ms, reference %.1f ms, awp / reference %.3f%n",
                awpMedian,
                referenceMedian,
                awpMedian / referenceMedian);
        return new double[] {awpMedian, referenceMedian};
    }

    /** Per-pass times of awp's forward in inference mode, with the logits read to the host. */
    private static List<Double> awpPasses(
            Block block, NDManager manager, NDArray x, int warmup, int passes) {
        ParameterStore store = new ParameterStore(manager, false);
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < warmup + passes; i++) {
            long start = System.nanoTime();
            try (NDManager scope = manager.newSubManager()) {
                NDArray input = x.duplicate();
                input.attach(scope);
                block.forward(store, new NDList(input), false).head().toFloatArray();
            }
            if (i >= warmup) {
                times.add((System.nanoTime() - start) / 1e6);
            }
        }
        return times;
    }

    /** Per-pass times of the same forward in PyTorch, from {@code forward_timing.py}. */
    private static List<Double> referencePasses(
            String python,
            String model,
            int batch,
            int warmup,
            int passes,
            int threads,
            boolean mallocFixed)
            throws IOException, InterruptedException {
        Path script = Path.of("src/main/python/forward_timing.py");
        if (!Files.isRegularFile(script)) {
            script = Path.of("awp-examples/src/main/python/forward_timing.py");
        }
        ProcessBuilder builder =
                new ProcessBuilder(
                                python,
                                script.toString(),
                                "--model",
                                model,
                                "--batch",
                                Integer.toString(batch),
                                "--passes",
                                Integer.toString(passes),
                                "--warmup",
                                Integer.toString(warmup),
                                "--threads",
                                Integer.toString(threads))
                        .redirectErrorStream(true);
        builder.environment().remove("OMP_NUM_THREADS");
        builder.environment().remove("MKL_NUM_THREADS");
        if (mallocFixed) {
            builder.environment().put("GLIBC_TUNABLES", NativeAllocator.GLIBC_TUNABLES);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(1, TimeUnit.HOURS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("the reference failed: " + builder.command() + "\n" + output);
        }
        String last = output.strip().substring(output.strip().lastIndexOf('\n') + 1);
        JsonObject result = JsonParser.parseString(last).getAsJsonObject();
        List<Double> times = new ArrayList<>();
        for (JsonElement t : result.getAsJsonArray("ms")) {
            times.add(t.getAsDouble());
        }
        return times;
    }
}
