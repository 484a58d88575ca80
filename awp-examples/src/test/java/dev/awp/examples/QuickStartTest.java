package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.awp.attack.PgdAttack;
import dev.awp.report.TrainingReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartTest {

    @TempDir Path dir;

    @Test
    void should_train_both_methods_and_report_the_table_figures() {
        Map<String, TrainingReport> reports =
                QuickStart.runExample(
                        "--train-size",
                        "32",
                        "--test-size",
                        "8",
                        "--epochs",
                        "2",
                        "--width",
                        "4",
                        "--quiet");

        assertThat(reports).containsOnlyKeys("PGD-AT", "AT-AWP");
        assertThat(reports.get("PGD-AT").epochs().get(0).awpActive()).isFalse();
        assertThat(reports.get("PGD-AT").epochs().get(1).awpActive()).isFalse();
        // AWP is warmed up for half the run: off in epoch 1 of 2, on in epoch 2
        assertThat(reports.get("AT-AWP").epochs().get(0).awpActive()).isFalse();
        assertThat(reports.get("AT-AWP").epochs().get(1).awpActive()).isTrue();
        for (TrainingReport report : reports.values()) {
            assertThat(report.epochs().get(1).robustAccuracy().orElseThrow().total()).isEqualTo(8);
            assertThat(report.epochs().get(1).robustGap()).isPresent();
            assertThat(report.epochs().get(1).learningRate()).isEqualTo(0.005, within(1e-9));
        }
        assertThat(QuickStart.table(reports)).contains("PGD-AT", "AT-AWP", "robust gap");
    }

    @Test
    void should_run_on_generated_fashion_mnist_files_with_epsilon_one_tenth() throws IOException {
        Path data = IdxFiles.write(dir.resolve("fashion"), 30, 10);

        Map<String, TrainingReport> reports =
                QuickStart.runExample(
                        "--dataset",
                        "fashion-mnist",
                        "--data-dir",
                        data.toString(),
                        "--train-size",
                        "16",
                        "--test-size",
                        "8",
                        "--epochs",
                        "1",
                        "--width",
                        "4",
                        "--quiet");

        for (TrainingReport report : reports.values()) {
            assertThat(((PgdAttack) report.training().attack()).threatModel().epsilon())
                    .isEqualTo(0.1);
            assertThat(report.epochs().get(0).robustAccuracy().orElseThrow().total()).isEqualTo(8);
        }
    }

    @Test
    void should_keep_the_synthetic_dataset_and_8_255_by_default() {
        Map<String, TrainingReport> reports =
                QuickStart.runExample(
                        "--train-size",
                        "8",
                        "--test-size",
                        "4",
                        "--epochs",
                        "1",
                        "--width",
                        "2",
                        "--quiet");

        PgdAttack attack = (PgdAttack) reports.get("PGD-AT").training().attack();
        assertThat(attack.threatModel().epsilon()).isEqualTo(8 / 255.0);
        assertThat(attack.stepSize()).isEqualTo(2 / 255.0);
    }
}
