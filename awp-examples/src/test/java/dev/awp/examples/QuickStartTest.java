package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

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
                        "1",
                        "--width",
                        "4",
                        "--quiet");

        assertThat(reports).containsOnlyKeys("PGD-AT", "AT-AWP");
        assertThat(reports.get("PGD-AT").epochs().get(0).awpActive()).isFalse();
        assertThat(reports.get("AT-AWP").epochs().get(0).awpActive()).isTrue();
        for (TrainingReport report : reports.values()) {
            assertThat(report.epochs().get(0).robustAccuracy().orElseThrow().total()).isEqualTo(8);
            assertThat(report.epochs().get(0).robustGap()).isPresent();
        }
        assertThat(QuickStart.table(reports)).contains("PGD-AT", "AT-AWP", "robust gap");
    }
}
