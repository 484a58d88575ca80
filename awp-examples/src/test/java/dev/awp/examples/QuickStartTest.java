package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
    void should_train_both_methods_on_the_embedded_fashion_mnist_and_report_the_table_figures() {
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
        // AWP from the first epoch, as the paper's AT-AWP
        assertThat(reports.get("AT-AWP").epochs().get(0).awpActive()).isTrue();
        assertThat(reports.get("AT-AWP").epochs().get(1).awpActive()).isTrue();
        assertThat(reports.get("AT-AWP").training().weightPerturbation().gamma()).isEqualTo(0.01);
        for (TrainingReport report : reports.values()) {
            PgdAttack attack = (PgdAttack) report.training().attack();
            assertThat(attack.threatModel().epsilon()).isEqualTo(0.1);
            assertThat(attack.steps()).isEqualTo(5);
            assertThat(attack.stepSize()).isEqualTo(0.05, within(1e-12));
            assertThat(report.epochs().get(1).robustAccuracy().orElseThrow().total()).isEqualTo(8);
            assertThat(report.epochs().get(1).robustGap()).isPresent();
            assertThat(report.epochs().get(1).learningRate()).isEqualTo(0.005, within(1e-9));
        }
        assertThat(ExampleRun.table(reports))
                .contains("PGD-AT", "AT-AWP", "robust gap")
                .doesNotContain(" s |");
        assertThat(ExampleRun.times(reports)).matches("time: PGD-AT \\d+ s, AT-AWP \\d+ s");
    }

    @Test
    void should_warm_up_awp_when_asked_and_refuse_a_warm_up_as_long_as_the_run() {
        Map<String, TrainingReport> reports =
                QuickStart.runExample(
                        "--train-size",
                        "20",
                        "--test-size",
                        "4",
                        "--epochs",
                        "2",
                        "--width",
                        "2",
                        "--awp-warmup",
                        "1",
                        "--quiet");

        assertThat(reports.get("AT-AWP").epochs().get(0).awpActive()).isFalse();
        assertThat(reports.get("AT-AWP").epochs().get(1).awpActive()).isTrue();
        assertThatThrownBy(() -> QuickStart.runExample("--epochs", "2", "--awp-warmup", "2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--awp-warmup must be less than --epochs (2) so that AWP runs but was 2");
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
    void should_keep_the_synthetic_dataset_as_an_option_at_8_255() {
        Map<String, TrainingReport> reports =
                QuickStart.runExample(
                        "--dataset",
                        "synthetic",
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
        // PGD-5 with 2.5ε/5
        assertThat(attack.stepSize()).isEqualTo(4 / 255.0, within(1e-12));
    }
}
