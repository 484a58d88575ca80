package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.report.RobustnessReport;
import dev.awp.spark.EvaluationOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkAutoAttackExampleTest {

    @Test
    void should_evaluate_with_autoattack_on_spark_and_write_the_report_and_table(
            @TempDir Path output) {
        EvaluationOutcome outcome =
                SparkAutoAttackExample.runExample(
                        "--test-size", "20",
                        "--train-size", "200",
                        "--batch-size", "10",
                        "--master", "local[2]",
                        "--output", output.toString());

        RobustnessReport report = outcome.report();
        assertThat(report.examples()).isEqualTo(20);
        assertThat(report.attacks())
                .extracting(a -> a.name())
                .containsExactly("APGD-CE", "APGD-T", "FAB-T", "Square");
        assertThat(report.robustAccuracy().correct())
                .isLessThanOrEqualTo(report.cleanAccuracy().correct());
        assertThat(outcome.computedBatches()).isEqualTo(2);
        assertThat(Files.exists(outcome.reportFile())).isTrue();
        assertThat(outcome.examplesTable().resolve("_SUCCESS")).exists();
    }
}
