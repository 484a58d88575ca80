package dev.awp.examples.benchmark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import dev.awp.attack.Attacks;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.model.PreActResNet18;
import dev.awp.djl.model.SmallCnn;
import dev.awp.examples.ExampleArgs;
import dev.awp.spark.EvaluationOutcome;
import dev.awp.spark.ExampleRows;
import dev.awp.spark.ModelSource;
import dev.awp.spark.SparkEvaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * How the model's weights reach the executors, measured: awp-spark's two deliveries — a path every
 * executor reads ({@code ModelSource.parameters}) and the driver's bytes shipped as a Spark
 * broadcast ({@code optBroadcastModel(true)}) — for a small CNN (a few thousand parameters) and
 * PreActResNet-18 (11 M parameters, about 43 MB), on {@code local[2]}. Every measured run is a new
 * JVM (so no model is cached from an earlier run, as on a fresh executor), and the runs are
 * interleaved (path, broadcast, then broadcast, path, ...) so that the machine's load hits both
 * alike. Each run evaluates a few synthetic 3×32×32 images with a 2-step APGD-CE (the work is not
 * the point) and reports the time from {@code run} to the first evaluation task's end and the whole
 * {@code run}.
 *
 * <pre>
 * ./mvnw -B -q -Prun-spark -pl awp-examples -am verify -DskipTests -Dinvoker.skip \
 *     -Dexample.main=dev.awp.examples.benchmark.SparkModelDeliveryBenchmark \
 *     -Dexample.args="--repeats 3 --out site/results/spark/model-delivery.txt"
 * </pre>
 *
 * Options: {@code --models} ({@code small,preact}), {@code --repeats} (3), {@code --examples} (16),
 * {@code --batch-size} (8), {@code --partitions} (2), {@code --master} ({@code local[2]}), {@code
 * --out} (a file to write the table to as well).
 */
public final class SparkModelDeliveryBenchmark {

    private static final String CHILD = "child";

    private SparkModelDeliveryBenchmark() {}

    /**
     * Runs the benchmark (or, with {@code --child}, one measured run).
     *
     * @param args the options above
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--" + CHILD)) {
            System.out.println(child(args));
            return;
        }
        System.out.print(runExample(args));
    }

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
                                "models",
                                "repeats",
                                "examples",
                                "batch-size",
                                "partitions",
                                "master",
                                "out"),
                        Set.of());
        List<String> models = List.of(options.string("models", "small,preact").split(","));
        int repeats = options.integer("repeats", 3, 1);
        int examples = options.integer("examples", 16, 1);
        int batchSize = options.integer("batch-size", 8, 1);
        int partitions = options.integer("partitions", 2, 1);
        String master = options.string("master", "local[2]");
        String loadStart = AwpBenchmark.loadAverage();
        long started = System.nanoTime();
        Path work = temporaryFolder();
        Map<String, Path> dirs = new LinkedHashMap<>();
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (String model : models) {
            Path dir = work.resolve(model);
            save(model, dir);
            dirs.put(model, dir);
            bytes.put(model, size(dir));
        }
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (int r = 0; r < repeats; r++) {
            for (String model : models) {
                List<String> order =
                        r % 2 == 0 ? List.of("path", "broadcast") : List.of("broadcast", "path");
                for (String delivery : order) {
                    double[] measured =
                            spawn(
                                    model,
                                    delivery,
                                    dirs.get(model),
                                    work.resolve(model + "-" + delivery + "-" + r),
                                    examples,
                                    batchSize,
                                    partitions,
                                    master);
                    results.computeIfAbsent(model + " " + delivery, k -> new ArrayList<>())
                            .add(measured);
                }
            }
        }
        StringBuilder table = new StringBuilder();
        table.append(
                String.format(
                        Locale.ROOT,
                        "awp-spark model delivery on %s: %d synthetic 3x32x32 images, batch %d, %d"
                                + " partitions, APGD-CE 2 steps; each run a new JVM (no model"
                                + " cached), path and broadcast interleaved, %d repeats%n"
                                + "machine: %d cores, Java %s; load average at start %s, at end"
                                + " %s; whole benchmark %.1f min%n"
                                + "model, delivery: time to the first task's end, whole run (s),"
                                + " per repeat%n",
                        master,
                        examples,
                        batchSize,
                        partitions,
                        repeats,
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"),
                        loadStart,
                        AwpBenchmark.loadAverage(),
                        (System.nanoTime() - started) / 60e9));
        for (Map.Entry<String, List<double[]>> entry : results.entrySet()) {
            String model = entry.getKey().split(" ")[0];
            table.append(
                    String.format(
                            Locale.ROOT,
                            "%-7s (%6.1f MB) %-9s first task %s; run %s; median first %.2f s,"
                                    + " run %.2f s%n",
                            model,
                            bytes.get(model) / 1e6,
                            entry.getKey().split(" ")[1],
                            entry.getValue().stream()
                                    .map(v -> String.format(Locale.ROOT, "%.2f", v[0]))
                                    .collect(Collectors.joining(" ")),
                            entry.getValue().stream()
                                    .map(v -> String.format(Locale.ROOT, "%.2f", v[1]))
                                    .collect(Collectors.joining(" ")),
                            median(entry.getValue(), 0),
                            median(entry.getValue(), 1)));
        }
        if (options.has("out")) {
            Path out = Path.of(options.string("out", "model-delivery.txt"));
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

    private static double median(List<double[]> values, int column) {
        double[] sorted = values.stream().mapToDouble(v -> v[column]).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** One measured run in a new JVM with this JVM's options and class path. */
    private static double[] spawn(
            String model,
            String delivery,
            Path dir,
            Path output,
            int examples,
            int batchSize,
            int partitions,
            String master) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SparkModelDeliveryBenchmark.class.getName());
        command.addAll(
                List.of(
                        "--" + CHILD,
                        model,
                        delivery,
                        dir.toString(),
                        output.toString(),
                        Integer.toString(examples),
                        Integer.toString(batchSize),
                        Integer.toString(partitions),
                        master));
        try {
            Path log = Files.createTempFile("awp-spark-delivery", ".log");
            Process process =
                    new ProcessBuilder(command)
                            .redirectError(log.toFile())
                            .redirectOutput(ProcessBuilder.Redirect.PIPE)
                            .start();
            String out =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = process.waitFor();
            String result =
                    out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
            if (status != 0 || result == null) {
                throw new IllegalStateException(
                        "the run "
                                + model
                                + " "
                                + delivery
                                + " failed with status "
                                + status
                                + "; its log: "
                                + log);
            }
            Files.deleteIfExists(log);
            String[] fields = result.split(" ");
            return new double[] {Double.parseDouble(fields[1]), Double.parseDouble(fields[2])};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The child: one evaluation, printing {@code RESULT firstTaskSeconds runSeconds}. */
    private static String child(String[] args) {
        String model = args[1];
        boolean broadcast = args[2].equals("broadcast");
        Path dir = Path.of(args[3]);
        Path output = Path.of(args[4]);
        int examples = Integer.parseInt(args[5]);
        int batchSize = Integer.parseInt(args[6]);
        int partitions = Integer.parseInt(args[7]);
        String master = args[8];
        ImageDataset data = SyntheticShapes.test(examples, 1);
        SparkSession spark =
                SparkSession.builder()
                        .master(master)
                        .appName("awp-spark model delivery")
                        .config("spark.ui.enabled", "false")
                        .getOrCreate();
        try {
            Set<Integer> evaluationStages = ConcurrentHashMap.newKeySet();
            AtomicLong firstEnd = new AtomicLong(Long.MAX_VALUE);
            spark.sparkContext()
                    .addSparkListener(
                            new SparkListener() {
                                @Override
                                public void onStageSubmitted(SparkListenerStageSubmitted event) {
                                    if (event.stageInfo()
                                            .name()
                                            .startsWith("collect at SparkEvaluation")) {
                                        evaluationStages.add(event.stageInfo().stageId());
                                    }
                                }

                                @Override
                                public void onTaskEnd(SparkListenerTaskEnd event) {
                                    if (evaluationStages.contains(event.stageId())) {
                                        firstEnd.accumulateAndGet(
                                                event.taskInfo().finishTime(), Math::min);
                                    }
                                }
                            });
            var rows = ExampleRows.of(spark, data, partitions).cache();
            rows.count();
            long start = System.currentTimeMillis();
            long t0 = System.nanoTime();
            EvaluationOutcome outcome =
                    SparkEvaluation.builder()
                            .setModel(
                                    ModelSource.parameters(
                                            dir,
                                            model,
                                            model.equals("preact")
                                                    ? PreActFactory.class.getName()
                                                    : SmallFactory.class.getName()))
                            .setEvaluator(
                                    () ->
                                            RobustnessEvaluator.builder()
                                                    .optAttacks(
                                                            List.of(
                                                                    Attacks.apgdCe()
                                                                            .withThreatModel(
                                                                                    ThreatModel
                                                                                            .linf(
                                                                                                    8
                                                                                                            / 255.0))
                                                                            .withSteps(2)))
                                                    .optBatchSize(batchSize)
                                                    .optNoProgress()
                                                    .build())
                            .setDataset(data.name(), 3, 32, 32, SyntheticShapes.NUM_CLASSES)
                            .setOutputDirectory(output)
                            .optPartitions(partitions)
                            .optBroadcastModel(broadcast)
                            .build()
                            .run(spark, rows);
            double run = (System.nanoTime() - t0) / 1e9;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (firstEnd.get() == Long.MAX_VALUE && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20); // the listener bus delivers events asynchronously
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            double first = (firstEnd.get() - start) / 1e3;
            return String.format(
                    Locale.ROOT,
                    "RESULT %.3f %.3f (computed %d batches)",
                    first,
                    run,
                    outcome.computedBatches());
        } finally {
            spark.stop();
        }
    }

    /** Saves the model {@code name} (small or preact), randomly initialized, in {@code dir}. */
    private static void save(String name, Path dir) {
        Engine.getInstance().setRandomSeed(0);
        try (Model model = Model.newInstance(name)) {
            BlockFactory factory = name.equals("preact") ? new PreActFactory() : new SmallFactory();
            model.setBlock(factory.newBlock(model, dir, Map.of()));
            Files.createDirectories(dir);
            model.save(dir, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model in " + dir, e);
        }
    }

    private static long size(Path dir) {
        try (var files = Files.list(dir)) {
            return files.mapToLong(
                            f -> {
                                try {
                                    return Files.size(f);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("awp-spark-delivery");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A SmallCnn of width 8 for 3×32×32 images and 10 classes. */
    public static final class SmallFactory implements BlockFactory {
        private static final long serialVersionUID = 1L;

        /** Creates the factory (executors call this no-arg constructor). */
        public SmallFactory() {}

        @Override
        public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
            Block block =
                    SmallCnn.builder()
                            .setNumClasses(SyntheticShapes.NUM_CLASSES)
                            .optWidth(8)
                            .build();
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
            return block;
        }
    }

    /** PreActResNet-18 for 3×32×32 images and 10 classes. */
    public static final class PreActFactory implements BlockFactory {
        private static final long serialVersionUID = 1L;

        /** Creates the factory (executors call this no-arg constructor). */
        public PreActFactory() {}

        @Override
        public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
            Block block =
                    PreActResNet18.builder().setNumClasses(SyntheticShapes.NUM_CLASSES).build();
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
            return block;
        }
    }
}
