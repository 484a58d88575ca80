package dev.awp.spark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.attack.ApgdAttack;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.FabAttack;
import dev.awp.attack.SquareAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.evaluation.EvaluationPart;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.report.RobustnessReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** The tests' model (trained briefly, saved once per JVM), data, evaluator and Spark sessions. */
final class SparkFixtures {

    static final String MODEL_NAME = "shapes-cnn";
    static final int EXAMPLES = 44;
    static final int BATCH = 8;

    private static Path modelDirectory;

    private SparkFixtures() {}

    /** 44 test images: 6 batches of 8, the last of 4. */
    static ImageDataset data() {
        return SyntheticShapes.test(EXAMPLES, 2);
    }

    /** A SmallCnn trained for 3 epochs on 512 images, saved as DJL parameters once per JVM. */
    static synchronized Path modelDirectory() {
        if (modelDirectory == null) {
            try {
                Path dir = Files.createTempDirectory("awp-spark-model");
                Engine.getInstance().setRandomSeed(5);
                try (Model model = Model.newInstance(MODEL_NAME)) {
                    model.setBlock(new SmallCnnFactory().newBlock(model, dir, java.util.Map.of()));
                    ImageDataset train = SyntheticShapes.train(512, 1);
                    try (Trainer trainer =
                            model.newTrainer(
                                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                            .optOptimizer(
                                                    Optimizer.adam()
                                                            .optLearningRateTracker(
                                                                    Tracker.fixed(0.01f))
                                                            .build()))) {
                        trainer.initialize(new Shape(1, 3, 32, 32));
                        for (int epoch = 0; epoch < 3; epoch++) {
                            for (Batch batch :
                                    train.trainingBatches(
                                            trainer.getManager(),
                                            64,
                                            3,
                                            epoch,
                                            Augmentation.none())) {
                                try (batch) {
                                    EasyTrain.trainBatch(trainer, batch);
                                    trainer.step();
                                }
                            }
                        }
                    }
                    model.save(dir, MODEL_NAME);
                }
                modelDirectory = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return modelDirectory;
    }

    private static RobustnessReport single;
    private static EvaluationPart singlePart;

    /**
     * The single-JVM report of {@link #evaluator evaluator(11)} on {@link #data()}, once per JVM.
     */
    static synchronized RobustnessReport single() {
        if (single == null) {
            AttackTarget target = AttackTarget.of(ExecutorModels.get(model()).getBlock());
            single = evaluator(11).evaluate(target, data());
            singlePart = evaluator(11).evaluatePart(target, data(), 0);
        }
        return single;
    }

    /** The same evaluation as one part (its per-example verdicts), once per JVM. */
    static synchronized EvaluationPart singlePart() {
        single();
        return singlePart;
    }

    static ModelSource model() {
        return ModelSource.parameters(
                modelDirectory(), MODEL_NAME, SmallCnnFactory.class.getName());
    }

    /** AutoAttack's cascade, shortened, at a radius where it breaks some examples but not all. */
    static List<Attack> shortAutoAttack() {
        List<Attack> standard = Attacks.autoAttack(ThreatModel.linf(4 / 255.0));
        return List.of(
                ((ApgdAttack) standard.get(0)).withSteps(3),
                ((ApgdAttack) standard.get(1)).withSteps(2).withTargetClasses(2),
                ((FabAttack) standard.get(2)).withSteps(3).withTargetClasses(2),
                ((SquareAttack) standard.get(3)).withQueries(10));
    }

    static RobustnessEvaluator evaluator(long seed) {
        return RobustnessEvaluator.builder()
                .optAttacks(shortAutoAttack())
                .optBatchSize(BATCH)
                .optSeed(seed)
                .optNoProgress()
                .build();
    }

    static SparkEvaluation.Builder evaluation(Path output, EvaluatorFactory evaluator) {
        ImageDataset data = data();
        return SparkEvaluation.builder()
                .setModel(model())
                .setEvaluator(evaluator)
                .setDataset(
                        data.name(),
                        data.channels(),
                        data.height(),
                        data.width(),
                        data.numClasses())
                .setOutputDirectory(output);
    }

    /** A local session; {@code master} such as {@code local[2,2]} (2 threads, 2 attempts). */
    static SparkSession session(String master) {
        return SparkSession.builder()
                .master(master)
                .appName("awp-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }
}
