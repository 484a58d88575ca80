package dev.awp.examples;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.attack.Attacks;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.model.SmallCnn;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import dev.awp.spark.EvaluationOutcome;
import dev.awp.spark.ExampleRows;
import dev.awp.spark.ModelSource;
import dev.awp.spark.SparkEvaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * AutoAttack's standard cascade (APGD-CE, APGD-T, FAB-T, Square; L∞ ε = 0.1) on the embedded
 * Fashion-MNIST test subset, on Apache Spark ({@code awp-spark}): a small CNN is trained briefly
 * (plainly, so it is not robust) and saved as DJL parameters, then {@link SparkEvaluation}
 * evaluates it on {@code local[2]} and prints the merged report, the one a single JVM gives.
 *
 * <p>Options: {@code --test-size} (2000, the whole embedded test subset), {@code --train-size}
 * (2000), {@code --epochs} (1), {@code --batch-size} (100, of the evaluation), {@code --seed} (0),
 * {@code --master} ({@code local[2]}; leave it to {@code spark-submit} with {@code --master
 * submit}), {@code --partitions} (the context's default parallelism) and {@code --output} (a new
 * temporary folder). Run it with {@code ./mvnw -B -q -Prun-spark -pl awp-examples -am verify
 * -DskipTests -Dinvoker.skip}.
 */
public final class SparkAutoAttackExample {

    private static final Set<String> OPTIONS =
            Set.of(
                    "test-size",
                    "train-size",
                    "epochs",
                    "batch-size",
                    "seed",
                    "master",
                    "partitions",
                    "output");

    private static final String MODEL_NAME = "fashion-cnn";

    private SparkAutoAttackExample() {}

    /**
     * Runs the example.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        runExample(args);
    }

    /**
     * Runs the example and returns what it printed.
     *
     * @param args the options
     * @return the outcome of the evaluation
     */
    public static EvaluationOutcome runExample(String... args) {
        ExampleArgs options = ExampleArgs.parse(args, OPTIONS, Set.of());
        int testSize = options.integer("test-size", EmbeddedFashionMnist.TEST_SIZE, 1);
        int trainSize = options.integer("train-size", 2000, 1);
        int epochs = options.integer("epochs", 1, 1);
        int batchSize = options.integer("batch-size", 100, 1);
        int seed = options.integer("seed", 0, 0);
        String master = options.string("master", "local[2]");
        Path output = Path.of(options.string("output", temporaryFolder().toString()));
        ImageDataset test = EmbeddedFashionMnist.test(testSize);
        Path modelDir = output.resolve("model");
        train(EmbeddedFashionMnist.train(trainSize), epochs, seed, modelDir);

        SparkSession.Builder session = SparkSession.builder().appName("awp AutoAttack");
        if (!master.equals("submit")) {
            session.master(master);
        }
        SparkSession spark = session.getOrCreate();
        try {
            // tag::evaluate[]
            SparkEvaluation.Builder evaluation =
                    SparkEvaluation.builder()
                            .setModel(
                                    ModelSource.parameters(
                                            modelDir, "fashion-cnn", CnnFactory.class.getName()))
                            .setEvaluator(
                                    () ->
                                            RobustnessEvaluator.builder()
                                                    .optAttacks(
                                                            Attacks.autoAttack(
                                                                    ThreatModel.linf(0.1)))
                                                    .optBatchSize(batchSize)
                                                    .optSeed(seed)
                                                    .optNoProgress()
                                                    .build())
                            .setDataset("Fashion-MNIST test (embedded subset)", 1, 28, 28, 10)
                            .setOutputDirectory(output.resolve("evaluation"));
            if (options.has("partitions")) {
                evaluation.optPartitions(options.integer("partitions", 2, 1));
            }
            EvaluationOutcome outcome =
                    evaluation.build().run(spark, ExampleRows.of(spark, test, 2));
            // end::evaluate[]
            print(outcome, master, spark.sparkContext().defaultParallelism());
            return outcome;
        } finally {
            if (!master.equals("submit")) {
                spark.stop();
            }
        }
    }

    private static void print(EvaluationOutcome outcome, String master, int parallelism) {
        RobustnessReport report = outcome.report();
        System.out.printf(
                Locale.ROOT,
                "AutoAttack (standard, L∞ ε = 0.1) on Spark %s (default parallelism %d): %s, %d"
                        + " examples, batch %d, seed %d; %d batches computed, %d reused%n",
                master,
                parallelism,
                report.dataset(),
                report.examples(),
                report.batchSize(),
                report.seed(),
                outcome.computedBatches(),
                outcome.reusedBatches());
        System.out.printf(
                Locale.ROOT,
                "clean %s%n",
                percent(report.cleanAccuracy().correct(), report.examples()));
        for (AttackResult attack : report.attacks()) {
            System.out.printf(
                    Locale.ROOT,
                    "after %-8s %s  (ran on %d, %d queries)%n",
                    attack.name(),
                    percent(attack.cumulativeAccuracy().correct(), report.examples()),
                    attack.attacked(),
                    attack.queries());
        }
        System.out.printf(
                Locale.ROOT,
                "robust %.1f%% [%.1f, %.1f] (95%% Wilson); report %s, per-example table %s%n",
                100 * report.robustAccuracy().value(),
                100 * report.robustAccuracy().lower(),
                100 * report.robustAccuracy().upper(),
                outcome.reportFile(),
                outcome.examplesTable());
    }

    private static String percent(int correct, int total) {
        return String.format(
                Locale.ROOT, "%5.1f%% (%d of %d)", 100.0 * correct / total, correct, total);
    }

    /**
     * The example's model in {@code dir}, as executors find it.
     *
     * @param dir the directory {@link #train} saved the model in
     * @return the source
     */
    public static ModelSource modelSource(Path dir) {
        return ModelSource.parameters(dir, MODEL_NAME, CnnFactory.class.getName());
    }

    /**
     * Loads the example's model from {@code dir} in this JVM (for a single-JVM evaluation).
     *
     * @param dir the directory {@link #train} saved the model in
     * @return the model; the caller closes it
     * @throws IOException if the parameters cannot be read
     * @throws ai.djl.MalformedModelException if they do not fit the block
     */
    public static Model load(Path dir) throws IOException, ai.djl.MalformedModelException {
        Model model = Model.newInstance(MODEL_NAME);
        model.setBlock(new CnnFactory().newBlock(model, dir, Map.of()));
        model.load(dir, MODEL_NAME);
        return model;
    }

    /**
     * Trains the example's CNN plainly (Adam, learning rate 0.01, batch 64, no attack) and saves it
     * as DJL parameters in {@code dir}.
     *
     * @param train the training images
     * @param epochs the epochs
     * @param seed the seed of the initialization and the data order
     * @param dir the directory to save the model in, created if missing
     */
    public static void train(ImageDataset train, int epochs, long seed, Path dir) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        try (Model model = Model.newInstance(MODEL_NAME)) {
            model.setBlock(new CnnFactory().newBlock(model, dir, Map.of()));
            try (Trainer trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                    .optOptimizer(
                                            Optimizer.adam()
                                                    .optLearningRateTracker(Tracker.fixed(0.01f))
                                                    .build()))) {
                trainer.initialize(new Shape(1, 1, 28, 28));
                for (int epoch = 0; epoch < epochs; epoch++) {
                    for (Batch batch :
                            train.trainingBatches(
                                    trainer.getManager(), 64, seed, epoch, Augmentation.none())) {
                        try (batch) {
                            EasyTrain.trainBatch(trainer, batch);
                            trainer.step();
                        }
                    }
                }
            }
            Files.createDirectories(dir);
            model.save(dir, MODEL_NAME);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model in " + dir, e);
        }
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("awp-spark-example");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The example's block, built on every executor from the class name: a {@link SmallCnn} of width
     * 8 for 1×28×28 images and 10 classes.
     */
    public static final class CnnFactory implements BlockFactory {

        private static final long serialVersionUID = 1L;

        /** Creates the factory (executors call this no-arg constructor). */
        public CnnFactory() {}

        @Override
        public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
            Block block = SmallCnn.builder().setNumClasses(10).optWidth(8).build();
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
            return block;
        }
    }
}
