package dev.awp.djl.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.RandomStart;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.testing.TestModels;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.objective.Objectives;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiagnosticsTest {

    ImageDataset data;
    Model model;
    Trainer trainer;

    @BeforeAll
    void trainBriefly() {
        Engine.getInstance().setRandomSeed(5);
        data = SyntheticShapes.train(64, 3);
        model =
                TestModels.model(
                        "cnn",
                        SmallCnn.builder().setNumClasses(10).optWidth(4).build(),
                        DataType.FLOAT32);
        trainer =
                TestModels.trainer(
                        model, TestModels.sgd(0.05f, 0.9f, 5e-4f), new Shape(1, 3, 32, 32));
        for (int epoch = 0; epoch < 2; epoch++) {
            for (Batch batch :
                    data.trainingBatches(trainer.getManager(), 32, 0, epoch, Augmentation.none())) {
                AwpEasyTrain.trainStep(trainer, null, Attacks.pgd(2), Objectives.pgdAt(), batch);
                batch.close();
            }
        }
    }

    @AfterAll
    void close() {
        trainer.close();
        model.close();
    }

    List<byte[]> allBytes() {
        List<byte[]> bytes = new ArrayList<>();
        for (Parameter parameter : model.getBlock().getParameters().values()) {
            bytes.add(parameter.getArray().toByteArray());
        }
        return bytes;
    }

    double meanLoss(boolean adversarial) {
        AttackTarget target = AttackTarget.of(model.getBlock());
        double sum = 0;
        try (NDManager local = trainer.getManager().newSubManager()) {
            for (Batch batch : data.evaluationBatches(local, 256)) {
                NDArray x = batch.getData().head();
                NDArray y = batch.getLabels().head();
                NDArray input =
                        adversarial
                                ? InputAttacks.bind(
                                                Attacks.pgd(2).withRandomStart(RandomStart.NONE))
                                        .generate(target, x, y)
                                : x;
                sum +=
                        y.size()
                                * Losses.crossEntropy(target.logits(input, BatchNormMode.EVAL), y)
                                        .getFloat();
                batch.close();
            }
        }
        return sum / data.size();
    }

    @Nested
    class Landscape {

        WeightLandscape landscape =
                WeightLandscape.builder()
                        .attack(Attacks.pgd(2).withRandomStart(RandomStart.NONE))
                        .alphas(-1, 1, 5)
                        .seed(9)
                        .build();

        @Test
        void should_equal_the_loss_at_w_for_alpha_zero() {
            LandscapeResult result = landscape.compute("m", model.getBlock(), data);
            assertThat(result.alphas()).containsExactly(-1, -0.5, 0, 0.5, 1);
            assertThat(result.cleanLoss()[2]).isCloseTo(meanLoss(false), within(1e-5));
            assertThat(result.adversarialLoss()[2]).isCloseTo(meanLoss(true), within(1e-5));
            // moving away along d changes the loss: the check can fail
            assertThat(result.adversarialLoss()[0]).isNotEqualTo(result.adversarialLoss()[2]);
            assertThat(result.adversarialLoss()[2]).isGreaterThan(result.cleanLoss()[2]);
        }

        @Test
        void should_restore_every_parameter_bit_exactly() {
            List<byte[]> before = allBytes();
            landscape.compute("m", model.getBlock(), data);
            List<byte[]> after = allBytes();
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).containsExactly(before.get(i));
            }
        }

        @Test
        void should_be_deterministic_for_a_seed() {
            WeightLandscape random =
                    WeightLandscape.builder()
                            .attack(Attacks.pgd(2))
                            .alphas(-1, 1, 3)
                            .seed(4)
                            .build();
            LandscapeResult first = random.compute("m", model.getBlock(), data);
            LandscapeResult second = random.compute("m", model.getBlock(), data);
            assertThat(second).isEqualTo(first);
        }

        @Test
        void should_normalize_each_filter_to_the_weight_filter_norm() {
            try (NDManager manager = trainer.getManager().newSubManager()) {
                NDArray w =
                        manager.randomNormal(new Shape(6, 3, 3, 3))
                                .mul(manager.arange(1f, 7f).reshape(6, 1, 1, 1));
                NDArray d = WeightLandscape.filterNormalizedDirection(w, manager);
                float[] wNorms = w.reshape(6, -1).norm(new int[] {1}).toFloatArray();
                float[] dNorms = d.reshape(6, -1).norm(new int[] {1}).toFloatArray();
                for (int f = 0; f < 6; f++) {
                    assertThat(dNorms[f]).isCloseTo(wNorms[f], within(1e-4f * wNorms[f]));
                }
            }
        }

        @Test
        void should_export_csv_and_json() {
            LandscapeResult result =
                    new LandscapeResult(
                            "x",
                            new double[] {-1, 0, 1},
                            new double[] {3, 1, 2},
                            new double[] {2, 0.5, 1},
                            "PGD-2",
                            1,
                            10);
            assertThat(result.toCsv().lines())
                    .containsExactly(
                            "alpha,adversarial_loss,clean_loss",
                            "-1.0,3.0,2.0",
                            "0.0,1.0,0.5",
                            "1.0,2.0,1.0");
            assertThat(result.toJson())
                    .contains("\"adversarial_loss\"")
                    .contains("\"attack\": \"PGD-2\"");
            assertThat(result.sharpness()).isEqualTo(1.5);
            assertThatThrownBy(
                            () ->
                                    new LandscapeResult(
                                            "x",
                                            new double[] {0},
                                            new double[] {},
                                            new double[] {0},
                                            "a",
                                            0,
                                            1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("one value per alpha");
        }

        @Test
        void should_reject_an_empty_range() {
            assertThatThrownBy(() -> WeightLandscape.builder().alphas(1, -1, 5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("from < to");
        }
    }

    @Nested
    class RandomVersusAdversarial {

        @Test
        void should_raise_the_loss_far_more_along_the_adversarial_direction() {
            List<byte[]> before = allBytes();
            PerturbationComparison comparison;
            try (NDManager local = trainer.getManager().newSubManager()) {
                Batch batch = data.batch(local, java.util.stream.IntStream.range(0, 64).toArray());
                comparison =
                        PerturbationComparison.measure(
                                trainer,
                                Objectives.pgdAt(),
                                Attacks.pgd(2),
                                batch.getData().head(),
                                batch.getLabels().head(),
                                0.01,
                                5,
                                1);
            }
            assertThat(comparison.adversarialIncrease()).isPositive();
            assertThat(comparison.adversarialIncrease())
                    .isGreaterThan(5 * Math.abs(comparison.randomIncrease()));
            List<byte[]> after = allBytes();
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).containsExactly(before.get(i));
            }
        }
    }

    @Nested
    class Plotting {

        @Test
        void should_write_png_and_svg(@TempDir Path dir) throws Exception {
            LandscapeResult a =
                    new LandscapeResult(
                            "AT",
                            new double[] {-1, 0, 1},
                            new double[] {3, 1, 2},
                            new double[] {2, 0.5, 1},
                            "PGD-2",
                            1,
                            10);
            List<Path> files = Plots.landscape(dir.resolve("landscape"), List.of(a));
            assertPngAndSvg(files.get(0), files.get(1));

            List<EpochMetrics> metrics = new ArrayList<>();
            for (int epoch = 0; epoch < 3; epoch++) {
                metrics.add(
                        EpochMetrics.builder()
                                .epoch(epoch)
                                .learningRate(0.1 / (epoch + 1))
                                .trainLoss(2.0 - epoch * 0.1)
                                .trainAdversarialAccuracy(Accuracy.of(30 + epoch, 100))
                                .awpActive(true)
                                .elapsedSeconds(1)
                                .cleanAccuracy(Accuracy.of(60, 100))
                                .robustAccuracy(Accuracy.of(30, 100))
                                .trainRobustAccuracy(Accuracy.of(35 + 5 * epoch, 100))
                                .build());
            }
            List<Path> curves =
                    Plots.trainingCurves(dir.resolve("curves"), Map.of("AT-AWP", metrics));
            assertThat(curves).hasSize(4);
            assertPngAndSvg(curves.get(0), curves.get(1));
            assertPngAndSvg(curves.get(2), curves.get(3));
        }

        void assertPngAndSvg(Path png, Path svg) throws Exception {
            byte[] bytes = Files.readAllBytes(png);
            assertThat(bytes.length).isGreaterThan(1000);
            assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("PNG");
            assertThat(Files.readString(svg)).contains("<svg");
        }
    }
}
