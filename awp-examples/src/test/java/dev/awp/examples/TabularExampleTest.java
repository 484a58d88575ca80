package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.report.RobustnessReport;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TabularExampleTest {

    @Test
    void should_train_both_methods_on_the_adapter_and_evaluate_them_with_pgd20() {
        Map<String, RobustnessReport> reports =
                TabularExample.runExample(
                        "--train-size", "96", "--test-size", "40", "--epochs", "2", "--quiet");

        assertThat(reports).containsOnlyKeys("PGD-AT", "AT-AWP");
        assertThat(reports.values())
                .allSatisfy(
                        report -> {
                            assertThat(report.examples()).isEqualTo(40);
                            assertThat(report.attacks().get(0).cumulativeAccuracy().correct())
                                    .isLessThanOrEqualTo(report.cleanAccuracy().correct());
                        });
    }

    @Test
    void should_generate_features_in_the_unit_interval_with_both_classes() {
        TabularExample.Transactions train = TabularExample.Transactions.generate(500, 3);

        float[] scaled = train.scaled(train.min(), train.max());

        for (float v : scaled) {
            assertThat(v).isBetween(0f, 1f);
        }
        assertThat(scaled).contains(0f, 1f);
        assertThat(train.fraudShare()).isBetween(0.2, 0.4);
    }
}
