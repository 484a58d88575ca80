package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.Recipes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaperRecipesTest {

    static final int RECORD = 1 + 3 * 32 * 32;

    @TempDir Path dir;

    /** A tiny CIFAR-10 folder in the real binary format: label byte, then 3072 pixel bytes. */
    static Path fakeCifar10(Path root, int recordsPerFile) throws IOException {
        Path folder = Files.createDirectories(root.resolve("cifar-10-batches-bin"));
        Random random = new Random(1);
        for (String name :
                new String[] {
                    "data_batch_1.bin",
                    "data_batch_2.bin",
                    "data_batch_3.bin",
                    "data_batch_4.bin",
                    "data_batch_5.bin",
                    "test_batch.bin"
                }) {
            byte[] bytes = new byte[recordsPerFile * RECORD];
            random.nextBytes(bytes);
            for (int r = 0; r < recordsPerFile; r++) {
                bytes[r * RECORD] = (byte) (r % 10);
            }
            Files.write(folder.resolve(name), bytes);
        }
        return folder;
    }

    @Test
    void should_run_a_recipe_for_one_epoch_on_a_tiny_cifar_folder() throws IOException {
        fakeCifar10(dir.resolve("data"), 16);
        Path output = dir.resolve("run");

        TrainingReport report =
                PaperRecipes.runExample(
                        "--recipe",
                        "trades-awp",
                        "--data-dir",
                        dir.resolve("data").toString(),
                        "--model",
                        "small-cnn",
                        "--epochs",
                        "1",
                        "--limit",
                        "32",
                        "--eval-size",
                        "8",
                        "--output",
                        output.toString(),
                        "--quiet");

        assertThat(report.epochs()).hasSize(1);
        assertThat(report.training().epochs()).isEqualTo(1);
        assertThat(Files.isRegularFile(AdversarialTrainer.lastCheckpoint(output))).isTrue();
        assertThat(Files.readAllLines(output.resolve(AdversarialTrainer.METRICS_LOG))).hasSize(1);
    }

    @Test
    void should_run_a_recipe_on_generated_mnist_files_with_small_cnn_and_epsilon_one_tenth()
            throws IOException {
        Path data = IdxFiles.write(dir.resolve("mnist"), 20, 10);
        Path output = dir.resolve("run");

        TrainingReport report =
                PaperRecipes.runExample(
                        "--dataset",
                        "mnist",
                        "--data-dir",
                        data.toString(),
                        "--recipe",
                        "at-awp",
                        "--epochs",
                        "1",
                        "--limit",
                        "16",
                        "--eval-size",
                        "8",
                        "--output",
                        output.toString(),
                        "--quiet");

        assertThat(report.epochs()).hasSize(1);
        assertThat(report.training().attack().threatModel().epsilon()).isEqualTo(0.1);
        assertThat(report.training().evaluation().attack().threatModel().epsilon()).isEqualTo(0.1);
    }

    @Test
    void should_refuse_a_residual_network_for_28x28_images() throws IOException {
        Path data = IdxFiles.write(dir.resolve("fashion"), 10, 10);

        assertThatThrownBy(
                        () ->
                                PaperRecipes.runExample(
                                        "--dataset",
                                        "fashion-mnist",
                                        "--data-dir",
                                        data.toString(),
                                        "--model",
                                        "wrn-34-10"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--model must be small-cnn for --dataset fashion-mnist");
    }

    @Test
    void should_name_the_missing_idx_files() throws IOException {
        Files.createDirectories(dir.resolve("empty"));

        assertThatThrownBy(
                        () ->
                                PaperRecipes.runExample(
                                        "--dataset",
                                        "fashion-mnist",
                                        "--data-dir",
                                        dir.resolve("empty").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("train-images-idx3-ubyte or train-images-idx3-ubyte.gz");
    }

    @Test
    void should_explain_a_missing_dataset_folder() {
        assertThatThrownBy(
                        () ->
                                PaperRecipes.runExample(
                                        "--data-dir", dir.resolve("nowhere").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--data-dir must be an existing folder");
    }

    @Test
    void should_explain_a_malformed_dataset_folder() throws IOException {
        Path folder = fakeCifar10(dir, 2);
        Files.write(folder.resolve("data_batch_3.bin"), new byte[100]);

        assertThatThrownBy(() -> PaperRecipes.runExample("--data-dir", dir.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("data_batch_3.bin");
    }

    @Test
    void should_explain_unknown_options() {
        assertThatThrownBy(() -> PaperRecipes.runExample("--recipe", "sam"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--recipe must be one of");
        assertThatThrownBy(() -> PaperRecipes.runExample("--epoch", "3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was --epoch");
    }

    @Test
    void should_scale_the_recipe_to_fewer_epochs() {
        AdversarialTraining trades = PaperRecipes.withEpochs(Recipes.tradesAwp(), 20);

        assertThat(trades.epochs()).isEqualTo(20);
        assertThat(trades.schedule().learningRate(0.1, 8, 0, 1, 20)).isEqualTo(0.1);
        assertThat(trades.schedule().learningRate(0.1, 9, 0, 1, 20))
                .isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(trades.weightPerturbation().warmupEpochs()).isEqualTo(9);
        assertThat(
                        PaperRecipes.withEpochs(Recipes.tradesAwp(), 4)
                                .weightPerturbation()
                                .warmupEpochs())
                .isEqualTo(2);
    }
}
