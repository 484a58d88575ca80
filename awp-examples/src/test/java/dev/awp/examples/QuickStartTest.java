package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.awp.report.TrainingReport;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuickStartTest {

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
}
