package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.awp.attack.InputDomain;
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
    void should_generate_features_inside_their_natural_bounds_with_both_classes() {
        TabularExample.Transactions train = TabularExample.Transactions.generate(500, 3);

        double[] lower = TabularExample.NATURAL_BOUNDS.lowerBounds();
        double[] upper = TabularExample.NATURAL_BOUNDS.upperBounds();
        float[] features = train.features();
        for (int i = 0; i < features.length; i++) {
            int j = i % TabularExample.FEATURES;
            assertThat((double) features[i]).as("feature %d", j).isBetween(lower[j], upper[j]);
        }
        assertThat(train.fraudShare()).isBetween(0.2, 0.4);
    }

    @Test
    void should_standardize_inputs_and_bounds_alike() {
        TabularExample.Transactions train = TabularExample.Transactions.generate(500, 3);
        TabularExample.Standardization standardize =
                TabularExample.Standardization.fit(train.features());

        InputDomain domain = standardize.apply(TabularExample.NATURAL_BOUNDS);
        float[] inputs = standardize.apply(train.features());

        double[] lower = domain.lowerBounds();
        double[] upper = domain.upperBounds();
        double[] mean = new double[TabularExample.FEATURES];
        for (int i = 0; i < inputs.length; i++) {
            int j = i % TabularExample.FEATURES;
            // compared as the attacks compare them: in float32
            assertThat(inputs[i]).isBetween((float) lower[j], (float) upper[j]);
            mean[j] += inputs[i] / 500.0;
        }
        assertThat(mean).containsOnly(new double[TabularExample.FEATURES], within(1e-4));
        // an amount cannot go below €0: its lower bound is its mean in standard deviations
        assertThat(lower[0]).isEqualTo(-standardize.mean()[0] / standardize.std()[0]);
    }
}
