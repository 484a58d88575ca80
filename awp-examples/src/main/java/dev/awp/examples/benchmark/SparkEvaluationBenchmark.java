package dev.awp.examples.benchmark;

import ai.djl.Model;
import dev.awp.attack.Attacks;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.examples.ExampleArgs;
import dev.awp.examples.ExampleData;
import dev.awp.examples.SparkAutoAttackExample;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import dev.awp.spark.EvaluationOutcome;
import dev.awp.spark.ExampleRows;
import dev.awp.spark.SparkEvaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * AutoAttack (standard, L∞ ε = 0.1) on Fashion-MNIST test images with {@code awp-spark} on {@code
 * local[1]} and {@code local[2]} against the single-JVM {@link RobustnessEvaluator}, side by side
 * in one process on the same model, images, batch size and seed: prints the wall times, where each
 * Spark run's time went ({@link EvaluationOutcome#phaseSeconds()}, and the time the tasks spent
 * evaluating), the overhead of Spark over one JVM at one core ({@code local[1]} / single) and the
 * speed-up at two ({@code local[1]} / {@code local[2]}), and whether the reports are identical
 * apart from the times.
 *
 * <pre>
 * ./mvnw -B -q -Prun-spark -pl awp-examples -am verify -DskipTests -Dinvoker.skip \
 *     -Dexample.main=dev.awp.examples.benchmark.SparkEvaluationBenchmark \
 *     -Dexample.args="--examples 1000 --out $PWD/site/results/spark/benchmark.txt"
 * </pre>
 *
 * Options: {@code --examples} (1000), {@code --batch-size} (100), {@code --partitions} (4), {@code
 * --seed} (0), {@code --masters} (a comma list, {@code local[1],local[2]}; the first two give the
 * ratios), {@code --extra-partitions} (a comma list of further partition counts to run on the last
 * master, to show the effect of partitioning; none by default), {@code --out} (a file to write the
 * table to as well), {@code --full-warm-up} (warm up on the whole evaluation instead of its first
 * batch: under load, the first single-JVM pass was seen to take far longer than the same work later
 * in the process).
 */
public final class SparkEvaluationBenchmark {

    private SparkEvaluationBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args the options above
     */
    public static void main(String[] args) {
        System.out.print(runExample(args));
    }

    /** One Spark run's measurements. */
    private record SparkRun(
            String master,
            int partitions,
            double sessionSeconds,
            double runSeconds,
            EvaluationOutcome outcome) {}

    /**
     * Runs the benchmark.
     *
     * @param args the options above
     * @return the printed table
     */
    public static String runExample(String... args) {
        ExampleArgs options =
                ExampleArgs.parse(
                        args,
                        Set.of(
                                "examples",
                                "batch-size",
                                "partitions",
                                "seed",
                                "masters",
                                "extra-partitions",
                                "out"),
                        Set.of("full-warm-up"));
        int examples = options.integer("examples", 1000, 1);
        int batchSize = options.integer("batch-size", 100, 1);
        int partitions = options.integer("partitions", 4, 1);
        int seed = options.integer("seed", 0, 0);
        List<String> masters = List.of(options.string("masters", "local[1],local[2]").split(","));
        String extra = options.string("extra-partitions", "");
        boolean warmUp = options.has("full-warm-up");
        String loadStart = AwpBenchmark.loadAverage();
        long started = System.nanoTime();
        ExampleData.Splits fashion =
                ExampleData.FASHION_MNIST.read(
                        ExampleArgs.parse(new String[0], Set.of(), Set.of()), 0, 0, seed);
        ImageDataset test = fashion.test(examples, seed);
        Path work = temporaryFolder();
        Path modelDir = work.resolve("model");
        SparkAutoAttackExample.train(fashion.train(2000, seed), 1, seed, modelDir);

        RobustnessReport single;
        long t0;
        try (Model model = SparkAutoAttackExample.load(modelDir)) {
            // warm-up, untimed: the first batch once (or, with --full-warm-up, the whole
            // evaluation), so that no run pays for the JIT, the engine's start and the native
            // self-check
            if (warmUp) {
                evaluator(batchSize, seed).evaluate(AttackTarget.of(model.getBlock()), test);
            } else {
                evaluator(batchSize, seed)
                        .evaluate(
                                AttackTarget.of(model.getBlock()),
                                test.subset(Math.min(batchSize, test.size()), seed));
            }
            t0 = System.nanoTime();
            single = evaluator(batchSize, seed).evaluate(AttackTarget.of(model.getBlock()), test);
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException("cannot load the benchmark's model: " + e, e);
        }
        double singleSeconds = (System.nanoTime() - t0) / 1e9;

        List<SparkRun> runs = new ArrayList<>();
        for (String master : masters) {
            List<Integer> counts = new ArrayList<>(List.of(partitions));
            if (master.equals(masters.get(masters.size() - 1)) && !extra.isBlank()) {
                for (String count : extra.split(",")) {
                    counts.add(Integer.parseInt(count.strip()));
                }
            }
            long s0 = System.nanoTime();
            SparkSession spark =
                    SparkSession.builder()
                            .master(master.strip())
                            .appName("awp-spark benchmark")
                            .config("spark.ui.enabled", "false")
                            .getOrCreate();
            double session = (System.nanoTime() - s0) / 1e9;
            try {
                for (int count : counts) {
                    long r0 = System.nanoTime();
                    EvaluationOutcome outcome =
                            SparkEvaluation.builder()
                                    .setModel(SparkAutoAttackExample.modelSource(modelDir))
                                    .setEvaluator(() -> evaluator(batchSize, seed))
                                    .setDataset(test.name(), 1, 28, 28, 10)
                                    .setOutputDirectory(work.resolve(master.strip() + "-" + count))
                                    .optPartitions(count)
                                    .build()
                                    .run(spark, ExampleRows.of(spark, test, count));
                    runs.add(
                            new SparkRun(
                                    master.strip(),
                                    count,
                                    session,
                                    (System.nanoTime() - r0) / 1e9,
                                    outcome));
                    session = 0;
                }
            } finally {
                spark.stop();
            }
        }
        boolean identical = true;
        for (SparkRun run : runs) {
            identical &= withoutTimes(run.outcome().report()).equals(withoutTimes(single));
        }
        StringBuilder table = new StringBuilder();
        table.append(
                String.format(
                        Locale.ROOT,
                        "awp-spark benchmark: AutoAttack (standard, L-inf 0.1) on %d Fashion-MNIST"
                                + " test images (embedded subset), SmallCnn w8 trained plainly 1"
                                + " epoch on 2000 images; batch %d, seed %d; warm-up, untimed: %s;"
                                + " runs in the order below%n"
                                + "machine: %d cores, Java %s; load average at start %s, at end"
                                + " %s; whole benchmark %.1f min%n"
                                + "clean %d/%d, robust %d/%d (%s)%n"
                                + "single JVM (RobustnessEvaluator.evaluate)          %8.1f s%n",
                        examples,
                        batchSize,
                        seed,
                        warmUp ? "the whole single-JVM evaluation" : "its first batch",
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"),
                        loadStart,
                        AwpBenchmark.loadAverage(),
                        (System.nanoTime() - started) / 60e9,
                        single.cleanAccuracy().correct(),
                        single.examples(),
                        single.robustAccuracy().correct(),
                        single.examples(),
                        describe(single),
                        singleSeconds));
        for (SparkRun run : runs) {
            table.append(
                    String.format(
                            Locale.ROOT,
                            "Spark %-9s %2d partitions (session start %.1f s) %8.1f s;"
                                    + " tasks evaluating %.1f s; %s%n",
                            run.master(),
                            run.partitions(),
                            run.sessionSeconds(),
                            run.runSeconds(),
                            run.outcome().report().elapsedSeconds(),
                            phases(run.outcome())));
        }
        if (runs.size() >= 2) {
            double one = runs.get(0).runSeconds();
            SparkRun second =
                    runs.stream()
                            .filter(r -> !r.master().equals(runs.get(0).master()))
                            .findFirst()
                            .orElse(runs.get(1));
            table.append(
                    String.format(
                            Locale.ROOT,
                            "overhead of Spark at one core, %s / single: %.2fx%n"
                                    + "speed-up at two cores, %s / %s:       %.2fx%n"
                                    + "single / %s:                                %.2fx%n",
                            runs.get(0).master(),
                            one / singleSeconds,
                            runs.get(0).master(),
                            second.master(),
                            one / second.runSeconds(),
                            second.master(),
                            singleSeconds / second.runSeconds()));
        }
        table.append(
                String.format(
                        Locale.ROOT,
                        "reports identical apart from the times: %s%n",
                        identical ? "yes" : "NO"));
        if (options.has("out")) {
            Path out = Path.of(options.string("out", "benchmark.txt"));
            try {
                if (out.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(out.toAbsolutePath().getParent());
                }
                Files.writeString(out, table, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out, e);
            }
        }
        return table.toString();
    }

    private static String phases(EvaluationOutcome outcome) {
        StringBuilder text = new StringBuilder("phases:");
        for (Map.Entry<String, Double> phase : outcome.phaseSeconds().entrySet()) {
            text.append(
                    String.format(Locale.ROOT, " %s %.1f s,", phase.getKey(), phase.getValue()));
        }
        text.setLength(text.length() - 1);
        return text.toString();
    }

    private static RobustnessEvaluator evaluator(int batchSize, long seed) {
        return RobustnessEvaluator.builder()
                .optAttacks(Attacks.autoAttack(ThreatModel.linf(0.1)))
                .optBatchSize(batchSize)
                .optSeed(seed)
                .optNoProgress()
                .build();
    }

    private static String describe(RobustnessReport report) {
        StringBuilder text = new StringBuilder();
        for (AttackResult attack : report.attacks()) {
            text.append(text.length() == 0 ? "" : ", ")
                    .append(attack.name())
                    .append(' ')
                    .append(attack.cumulativeAccuracy().correct());
        }
        return "after " + text;
    }

    private static RobustnessReport withoutTimes(RobustnessReport report) {
        List<AttackResult> attacks = new ArrayList<>();
        for (AttackResult result : report.attacks()) {
            attacks.add(result.withElapsedSeconds(0));
        }
        return report.withElapsedSeconds(0).withAttacks(attacks);
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("awp-spark-benchmark");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
