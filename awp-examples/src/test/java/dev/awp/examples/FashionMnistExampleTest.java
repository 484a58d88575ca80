package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.awp.attack.PgdAttack;
import dev.awp.report.TrainingReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistExampleTest {

    @TempDir Path dir;

    @Test
    void should_train_both_methods_on_generated_idx_files_with_epsilon_one_tenth()
            throws IOException {
        Path data = IdxFiles.write(dir.resolve("fashion"), 40, 12);

        Map<String, TrainingReport> reports =
                FashionMnistExample.runExample(
                        "--data-dir",
                        data.toString(),
                        "--train-size",
                        "24",
                        "--test-size",
                        "8",
                        "--epochs",
                        "2",
                        "--width",
                        "4",
                        "--quiet");

        assertThat(reports).containsOnlyKeys("PGD-AT", "AT-AWP");
        for (TrainingReport report : reports.values()) {
            PgdAttack attack = (PgdAttack) report.training().attack();
            assertThat(attack.threatModel().epsilon()).isEqualTo(0.1);
            assertThat(attack.stepSize())
                    .isCloseTo(0.025, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(report.training().evaluation().attack().threatModel().epsilon())
                    .isEqualTo(0.1);
            assertThat(report.epochs()).hasSize(2);
            assertThat(report.epochs().get(1).cleanAccuracy().orElseThrow().total()).isEqualTo(8);
            assertThat(report.epochs().get(1).robustAccuracy().orElseThrow().total()).isEqualTo(8);
        }
        assertThat(reports.get("AT-AWP").epochs().get(1).awpActive()).isTrue();
    }

    @Test
    void should_name_the_missing_file() throws IOException {
        Path data = IdxFiles.write(dir.resolve("fashion"), 10, 10);
        Files.delete(data.resolve("t10k-labels-idx1-ubyte"));

        assertThatThrownBy(() -> FashionMnistExample.runExample("--data-dir", data.toString()))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz");
    }

    @Test
    void should_require_the_data_folder() {
        assertThatThrownBy(() -> FashionMnistExample.runExample("--epochs", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--data-dir must name the folder");
    }
}
