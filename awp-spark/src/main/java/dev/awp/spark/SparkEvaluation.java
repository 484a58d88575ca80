package dev.awp.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import ai.djl.Model;
import com.google.common.math.LongMath;
import dev.awp.attack.Attack;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.evaluation.EvaluationPart;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.evaluation.RobustnessReportJson;
import dev.awp.report.RobustnessReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Runs a {@link RobustnessEvaluator} (any attack list, AutoAttack's cascade included) over a Spark
 * {@link Dataset} of images ({@link ExampleRows}) and gives the report one JVM gives on the same
 * examples with the same seed — the same per-example verdicts and {@code brokenBy}, hence the same
 * accuracies and intervals — whatever the number of partitions, executors or task retries.
 *
 * <pre>{@code
 * EvaluationOutcome outcome = SparkEvaluation.builder()
 *         .setModel(ModelSource.torchScript(Path.of("/shared/models/wrn.pt")))
 *         .setEvaluator(() -> RobustnessEvaluator.builder()
 *                 .optAttacks(Attacks.autoAttack(ThreatModel.linf(8 / 255.0)))
 *                 .optNoProgress()
 *                 .build())
 *         .setDataset("cifar10-test", 3, 32, 32, 10)
 *         .setOutputDirectory(Path.of("/shared/runs/wrn-autoattack"))
 *         .optPartitions(8)
 *         .build()
 *         .run(spark, spark.read().parquet("/shared/data/cifar10-test.parquet"));
 * }</pre>
 *
 * <p><b>How it is split.</b> The examples are numbered by their {@link ExampleRows#INDEX} column
 * and cut into the evaluator's batches exactly as one JVM cuts them (batch {@code b} holds examples
 * {@code b·B} to {@code b·B + B - 1}); each partition gets consecutive whole batches, and every
 * batch is evaluated by {@link RobustnessEvaluator#evaluatePart}, whose attacks draw per example
 * ({@link dev.awp.djl.attack.ExampleKeys}: a stream seeded from the seed, the attack and the
 * example's index). The same example therefore meets the same random draws and the same batch
 * companions wherever it runs. The partition count changes only the speed.
 *
 * <p><b>Commit and resume.</b> Each partition commits its part atomically to {@code
 * parts/batches-FFFFFF-CCCCCC.json} in the output directory, with the configuration's key (dataset
 * name and size, seed, batch size, accounting, threat model, every attack's settings, the model's
 * fingerprint: {@link RobustnessEvaluator#configurationKey}). A run started again computes only the
 * batches without a committed part; a retried task whose earlier attempt committed returns that
 * part. A directory holding parts of another configuration is refused with an {@link
 * IllegalArgumentException} naming the difference: delete it or choose another. At the end the
 * report is written to {@code report.json} (atomically) and the per-example table to {@code
 * examples.parquet}. The output directory must be a path the driver and every executor see (a
 * shared file system; on one machine, any directory).
 *
 * <p><b>Model.</b> {@link ModelSource}: a path every executor reads, loaded once per executor JVM
 * (and once on the driver, which computes the configuration key). Evaluations run one at a time in
 * a JVM: the tasks of one executor share its model, whose weight gradients each attack switches off
 * and on, and DJL's PyTorch engine allows one gradient collector per process. Give each executor
 * one task slot ({@code spark.executor.cores} equal to {@code spark.task.cpus}) and, on GPUs, one
 * GPU ({@code spark.task.resource.gpu.amount=1}); awp never chooses a device itself.
 *
 * <p><b>Errors.</b> Bad inputs fail the job with awp's {@link IllegalArgumentException} (the
 * message of the task that failed, the Spark exception as its cause): a model that cannot be
 * loaded, an index that does not number the rows {@code 0 … n-1} once each, a label outside {@code
 * [0, numClasses)}, an image of the wrong size, inputs outside the threat model.
 */
public final class SparkEvaluation {

    private static final Logger LOGGER = LoggerFactory.getLogger(SparkEvaluation.class);

    final ModelSource model;
    final EvaluatorFactory evaluator;
    final String dataset;
    final int channels;
    final int height;
    final int width;
    final int numClasses;
    final Path output;
    private final int partitions;
    private final boolean broadcastModel;

    private SparkEvaluation(Builder builder) {
        this.model = builder.model;
        this.evaluator = builder.evaluator;
        this.dataset = builder.dataset;
        this.channels = builder.channels;
        this.height = builder.height;
        this.width = builder.width;
        this.numClasses = builder.numClasses;
        this.output = builder.output;
        this.partitions = builder.partitions;
        this.broadcastModel = builder.broadcastModel;
    }

    /**
     * Starts a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Evaluates the examples, resuming from the parts committed in the output directory.
     *
     * @param spark the session
     * @param examples the rows, with {@link ExampleRows#SCHEMA}'s columns
     * @return the report and what was computed
     * @throws IllegalArgumentException if the model cannot be loaded, the output directory holds
     *     parts of another configuration, or a row is invalid (see the class documentation)
     */
    public EvaluationOutcome run(SparkSession spark, Dataset<Row> examples) {
        requireNonNull(spark, "spark");
        requireNonNull(examples, "examples");
        Stopwatch clock = new Stopwatch();
        long count = examples.count();
        checkArgument(
                count >= 1 && count <= Integer.MAX_VALUE,
                "examples must hold between 1 and %s rows but held %s",
                Integer.MAX_VALUE,
                count);
        clock.lap("count");
        RobustnessEvaluator local = evaluator.create();
        Model loaded = ExecutorModels.get(model);
        String key =
                local.configurationKey(AttackTarget.of(loaded.getBlock()), dataset, (int) count);
        PartStore store = new PartStore(output);
        List<EvaluationPart> parts = new ArrayList<>(store.committed(key));
        int batchSize = local.batchSize();
        int batches = Math.toIntExact(LongMath.divide(count, batchSize, RoundingMode.CEILING));
        boolean[] done = new boolean[batches];
        int reused = 0;
        for (EvaluationPart part : parts) {
            for (int b = part.firstBatch(); b < part.firstBatch() + part.batches(); b++) {
                done[b] = true;
                reused++;
            }
        }
        int[] missing = missing(done);
        int slices = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
        clock.lap("configuration key and committed parts");
        LOGGER.info(
                "awp-spark: evaluating {} ({} examples, {} batches of {}) with {} (seed {},"
                        + " accounting {}), model {}{}, {} partitions for the {} batches to"
                        + " compute, {} batches committed before, output {}",
                dataset,
                count,
                batches,
                batchSize,
                local.attacks().stream().map(Attack::name).collect(Collectors.joining(", ")),
                local.seed(),
                local.accounting(),
                model,
                broadcastModel ? " (broadcast)" : "",
                slices,
                missing.length,
                reused,
                output.toAbsolutePath());
        if (missing.length > 0) {
            BroadcastModel shipped =
                    broadcastModel
                            ? BroadcastModel.of(
                                    JavaSparkContext.fromSparkContext(spark.sparkContext()), model)
                            : null;
            try {
                JobSpec spec =
                        new JobSpec(
                                this, shipped != null ? shipped : model, (int) count, batchSize);
                parts.addAll(compute(examples, spec, key, missing, slices));
            } finally {
                if (shipped != null) {
                    shipped.destroy();
                }
            }
        }
        clock.lap("evaluation");
        RobustnessReport report = local.merge(dataset, parts);
        checkState(report.examples() == count, "the parts must hold every example");
        parts.sort((a, b) -> Integer.compare(a.firstBatch(), b.firstBatch()));
        Path table = output.toAbsolutePath().resolve("examples.parquet");
        ExampleTable.write(spark, parts, local.attacks(), table);
        clock.lap("per-example table");
        Path reportFile = output.toAbsolutePath().resolve("report.json");
        try {
            AtomicWrite.writeString(reportFile, RobustnessReportJson.toJson(report));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + reportFile, e);
        }
        clock.lap("report");
        LOGGER.info("awp-spark: {} done in {}", dataset, clock);
        return new EvaluationOutcome(
                report, reportFile, table, missing.length, reused, clock.seconds());
    }

    private static List<EvaluationPart> compute(
            Dataset<Row> examples, JobSpec spec, String key, int[] missing, int slices) {
        boolean[] wanted = new boolean[missing[missing.length - 1] + 1];
        for (int b : missing) {
            wanted[b] = true;
        }
        JavaPairRDD<Integer, Row> keyed =
                examples.select(ExampleRows.INDEX, ExampleRows.LABEL, ExampleRows.IMAGE)
                        .javaRDD()
                        .mapToPair(row -> new Tuple2<>(spec.batchOf(row.getLong(0)), row))
                        .filter(pair -> pair._1() < wanted.length && wanted[pair._1()]);
        List<String> json;
        try {
            json =
                    keyed.partitionBy(new BatchPartitioner(missing, slices))
                            .mapPartitions(new PartitionTask(spec, key))
                            .collect();
        } catch (Exception e) { // SparkException is checked but undeclared (Scala)
            throw awpFailure(e);
        }
        List<EvaluationPart> parts = new ArrayList<>();
        for (String part : json) {
            parts.add(EvaluationPart.fromJson(part));
        }
        return parts;
    }

    /**
     * The job's failure as awp's exception of the task that failed, when there is one: from the
     * causes, or else from Spark's message, which quotes the task's exception.
     */
    static RuntimeException awpFailure(Exception failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException) {
                return new IllegalArgumentException(cause.getMessage(), failure);
            }
            if (cause instanceof IllegalStateException) {
                return new IllegalStateException(cause.getMessage(), failure);
            }
        }
        String message = String.valueOf(failure.getMessage());
        String argument = quoted(message, IllegalArgumentException.class);
        if (argument != null) {
            return new IllegalArgumentException(argument, failure);
        }
        String state = quoted(message, IllegalStateException.class);
        if (state != null) {
            return new IllegalStateException(state, failure);
        }
        return failure instanceof RuntimeException runtime
                ? runtime
                : new IllegalStateException("the Spark job failed: " + message, failure);
    }

    /** The message of a {@code type} quoted in Spark's failure message, up to its line's end. */
    private static String quoted(String message, Class<? extends Exception> type) {
        String marker = type.getName() + ": ";
        int start = message.indexOf(marker);
        if (start < 0) {
            return null;
        }
        start += marker.length();
        int end = message.indexOf('\n', start);
        return message.substring(start, end < 0 ? message.length() : end).strip();
    }

    private static int[] missing(boolean[] done) {
        return IntStream.range(0, done.length).filter(b -> !done[b]).toArray();
    }

    /** Configures a {@link SparkEvaluation}. */
    public static final class Builder {
        private ModelSource model;
        private EvaluatorFactory evaluator;
        private String dataset;
        private int channels;
        private int height;
        private int width;
        private int numClasses;
        private Path output;
        private int partitions;
        private boolean broadcastModel;

        private Builder() {}

        /**
         * Sets the model.
         *
         * @param model where every executor loads it from
         * @return this builder
         */
        public Builder setModel(ModelSource model) {
            this.model = requireNonNull(model, "model");
            return this;
        }

        /**
         * Sets the evaluator: its attacks, seed, batch size and accounting.
         *
         * @param evaluator builds the same evaluator on the driver and every executor
         * @return this builder
         */
        public Builder setEvaluator(EvaluatorFactory evaluator) {
            this.evaluator = requireNonNull(evaluator, "evaluator");
            return this;
        }

        /**
         * Sets what the rows hold.
         *
         * @param name the dataset's name, for the report
         * @param channels the channels of an image, at least 1
         * @param height the height of an image, at least 1
         * @param width the width of an image, at least 1
         * @param numClasses the number of classes, at least 2
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or a number out of range
         */
        public Builder setDataset(
                String name, int channels, int height, int width, int numClasses) {
            requireNonNull(name, "name");
            checkArgument(!name.isBlank(), "name must not be blank but was '%s'", name);
            checkArgument(channels >= 1, "channels must be >= 1 but was %s", channels);
            checkArgument(height >= 1, "height must be >= 1 but was %s", height);
            checkArgument(width >= 1, "width must be >= 1 but was %s", width);
            checkArgument(numClasses >= 2, "numClasses must be >= 2 but was %s", numClasses);
            this.dataset = name;
            this.channels = channels;
            this.height = height;
            this.width = width;
            this.numClasses = numClasses;
            return this;
        }

        /**
         * Sets the output directory: committed parts, {@code report.json} and {@code
         * examples.parquet}. The driver and every executor must see it.
         *
         * @param output the directory; created if missing
         * @return this builder
         */
        public Builder setOutputDirectory(Path output) {
            this.output = requireNonNull(output, "output");
            return this;
        }

        /**
         * Sets the number of partitions the batches still to compute are split into (consecutive
         * runs of whole batches). It changes the speed, never the results. Default: the context's
         * default parallelism.
         *
         * @param partitions at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code partitions < 1}
         */
        public Builder optPartitions(int partitions) {
            checkArgument(partitions >= 1, "partitions must be >= 1 but was %s", partitions);
            this.partitions = partitions;
            return this;
        }

        /**
         * Sets how the model's files reach the executors. {@code false} (the default): every
         * executor reads them from the {@link ModelSource}'s path, which must be on storage every
         * executor sees. {@code true}: the driver reads them once and ships them as a Spark
         * broadcast; each executor JVM fetches them once, loads the model from a temporary copy and
         * deletes the copy, so the path need only be readable by the driver. Either way a JVM loads
         * the model once. It changes the speed, never the results.
         *
         * @param broadcastModel whether to broadcast the model's files
         * @return this builder
         */
        public Builder optBroadcastModel(boolean broadcastModel) {
            this.broadcastModel = broadcastModel;
            return this;
        }

        /**
         * Builds the evaluation.
         *
         * @return the evaluation
         * @throws IllegalStateException if the model, the evaluator, the dataset or the output
         *     directory was not set
         */
        public SparkEvaluation build() {
            checkState(model != null, "model must be set (setModel) but was not");
            checkState(evaluator != null, "evaluator must be set (setEvaluator) but was not");
            checkState(dataset != null, "dataset must be set (setDataset) but was not");
            checkState(output != null, "output must be set (setOutputDirectory) but was not");
            return new SparkEvaluation(this);
        }
    }
}
