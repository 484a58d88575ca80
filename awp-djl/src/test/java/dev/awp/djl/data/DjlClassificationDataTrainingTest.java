package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.ArrayDataset;
import dev.awp.attack.Attacks;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.event.EpochEnded;
import dev.awp.event.TrainingEventListener;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.EpochMetrics;
import dev.awp.report.RobustnessReport;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Schedules;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer and the evaluator on DJL datasets through {@link ClassificationData#of}. */
class DjlClassificationDataTrainingTest {

    private static final int CLASSES = 3;

    @TempDir Path dir;

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** AT-AWP, 3 epochs of 3 batches of 16, PGD-2, evaluation on 16 + 16 examples. */
    private static AdversarialTraining spec() {
        return AdversarialTraining.builder()
                .objective(Objectives.pgdAt())
                .attack(Attacks.pgdTraining().withSteps(2))
                .weightPerturbation(WeightPerturbation.of(0.01))
                .epochs(3)
                .batchSize(16)
                .optimizer(OptimizerSpec.sgd(0.05, 0.9, 5e-4))
                .schedule(Schedules.reference())
                .evaluation(
                        EvaluationPlan.builder()
                                .subsetSize(16)
                                .trainSubsetSize(16)
                                .attack(Attacks.pgd(2))
                                .build())
                .checkpoints(CheckpointPolicy.builder().build())
                .seed(11)
                .build();
    }

    /**
     * Feature vectors in [0, 1] whose class is the quarter of the mean of the first features,
     * labelled with int64 class indices.
     */
    private ClassificationData features(int size, long seed) {
        Random random = new Random(seed);
        float[] values = new float[size * 20];
        long[] labels = new long[size];
        for (int i = 0; i < size; i++) {
            labels[i] = i % CLASSES;
            for (int j = 0; j < 20; j++) {
                float centre = (labels[i] + 0.5f) / CLASSES;
                float v =
                        j < 5 ? centre + 0.1f * (float) random.nextGaussian() : random.nextFloat();
                values[i * 20 + j] = Math.min(1, Math.max(0, v));
            }
        }
        ArrayDataset dataset =
                new ArrayDataset.Builder()
                        .setData(manager.create(values, new Shape(size, 20)))
                        .optLabels(manager.create(labels))
                        .setSampling(1, false)
                        .build();
        return ClassificationData.of("features", dataset, CLASSES);
    }

    /** 1×28×28 images in [0, 1] with float32 labels, as DJL's Mnist gives them. */
    private ClassificationData images(int size, long seed) {
        NDArray x = manager.randomUniform(0, 1, new Shape(size, 1, 28, 28));
        float[] labels = new float[size];
        for (int i = 0; i < size; i++) {
            labels[i] = i % CLASSES;
        }
        // class c brightens rows 9c..9c+8, so the classes can be told apart
        float[] brighten = new float[size * 28 * 28];
        for (int i = 0; i < size; i++) {
            int c = i % CLASSES;
            for (int r = 9 * c; r < 9 * c + 9; r++) {
                for (int col = 0; col < 28; col++) {
                    brighten[i * 784 + r * 28 + col] = 1;
                }
            }
        }
        NDArray images = x.mul(0.5f).add(manager.create(brighten, x.getShape()).mul(0.5f));
        ArrayDataset dataset =
                new ArrayDataset.Builder()
                        .setData(images)
                        .optLabels(manager.create(labels))
                        .setSampling(1, false)
                        .build();
        return ClassificationData.of("digits-like", dataset, CLASSES);
    }

    private static Block mlp() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(16).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(CLASSES).build());
    }

    private static Block cnn() {
        return SmallCnn.builder().setNumClasses(CLASSES).optWidth(2).optHiddenUnits(8).build();
    }

    private static Model model(Block block) {
        Model model = Model.newInstance("djl-data");
        model.setBlock(block);
        return model;
    }

    private static Map<String, float[]> weights(Model model) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        for (var pair : model.getBlock().getParameters()) {
            copy.put(pair.getKey(), pair.getValue().getArray().toFloatArray());
        }
        return copy;
    }

    private static List<EpochMetrics> untimed(List<EpochMetrics> metrics) {
        return metrics.stream().map(m -> m.withElapsedSeconds(0)).collect(Collectors.toList());
    }

    /** 3 straight epochs, then 2 epochs, a crash, and a resume: both must end identically. */
    private void assertTrainsAndResumesExactly(
            ClassificationData train, ClassificationData validation, Supplier<Block> block) {
        AdversarialTraining spec = spec();
        Map<String, float[]> straight;
        TrainingReport straightReport;
        try (Model model = model(block.get())) {
            straightReport =
                    AdversarialTrainer.builder(spec)
                            .setTrainData(train)
                            .setValidationData(validation)
                            .optNoProgress()
                            .optOutputDirectory(dir.resolve("straight"))
                            .build()
                            .fit(model);
            straight = weights(model);
        }
        TrainingEventListener crash =
                new TrainingEventListener() {
                    @Override
                    public void onEpochEnded(EpochEnded event) {
                        if (event.epoch() == 1) {
                            throw new IllegalStateException("simulated crash");
                        }
                    }
                };
        try (Model model = model(block.get())) {
            AdversarialTrainer interrupted =
                    AdversarialTrainer.builder(spec)
                            .setTrainData(train)
                            .setValidationData(validation)
                            .optNoProgress()
                            .optOutputDirectory(dir.resolve("interrupted"))
                            .addEventListeners(crash)
                            .build();
            assertThatThrownBy(() -> interrupted.fit(model)).hasMessage("simulated crash");
        }
        Map<String, float[]> resumed;
        TrainingReport resumedReport;
        try (Model model = model(block.get())) {
            resumedReport =
                    AdversarialTrainer.builder(spec)
                            .setTrainData(train)
                            .setValidationData(validation)
                            .optNoProgress()
                            .optOutputDirectory(dir.resolve("interrupted"))
                            .build()
                            .resume(model);
            resumed = weights(model);
        }

        assertThat(straightReport.epochs()).hasSize(3);
        assertThat(straightReport.epochs()).allSatisfy(e -> assertThat(e.trainLoss()).isFinite());
        assertThat(resumed.keySet()).containsExactlyElementsOf(straight.keySet());
        for (String name : straight.keySet()) {
            assertThat(resumed.get(name)).as(name).isEqualTo(straight.get(name));
        }
        assertThat(untimed(resumedReport.epochs())).isEqualTo(untimed(straightReport.epochs()));
    }

    @Nested
    class Training {
        @Test
        void should_train_and_resume_an_mlp_on_feature_vectors_exactly() {
            assertTrainsAndResumesExactly(features(48, 1), features(24, 2), () -> mlp());
        }

        @Test
        void should_train_and_resume_a_cnn_on_single_channel_images_exactly() {
            assertTrainsAndResumesExactly(images(48, 1), images(24, 2), () -> cnn());
        }
    }

    @Nested
    class Evaluation {
        @Test
        void should_evaluate_a_model_on_a_djl_dataset() {
            ClassificationData test = features(40, 3);
            try (Model model = model(mlp())) {
                AdversarialTrainer.builder(spec())
                        .setTrainData(features(48, 1))
                        .setValidationData(features(24, 2))
                        .optNoProgress()
                        .build()
                        .fit(model);

                RobustnessReport report =
                        RobustnessEvaluator.builder()
                                .optAttacks(List.of(Attacks.pgd(2)))
                                .optBatchSize(16)
                                .optNoProgress()
                                .build()
                                .evaluate(model.getBlock(), test);

                assertThat(report.examples()).isEqualTo(40);
                assertThat(report.attacks()).hasSize(1);
                assertThat(report.attacks().get(0).cumulativeAccuracy().correct())
                        .isLessThanOrEqualTo(report.cleanAccuracy().correct());
            }
        }
    }
}
