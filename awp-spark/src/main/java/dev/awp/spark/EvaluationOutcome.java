package dev.awp.spark;

import dev.awp.report.RobustnessReport;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link SparkEvaluation#run} produced: the merged report, the files written, and how many
 * batches this run computed and how many it took from parts committed before (by an earlier,
 * interrupted run).
 *
 * @param report the report, the one a single {@code RobustnessEvaluator} run on the same examples
 *     gives (apart from the times)
 * @param reportFile the report as JSON ({@code report.json} in the output directory)
 * @param examplesTable the per-example Parquet table ({@code examples.parquet})
 * @param computedBatches the batches this run evaluated
 * @param reusedBatches the batches read from committed parts
 * @param phaseSeconds the wall time of the run's phases on the driver, in the order they ran:
 *     {@code count} (counting the rows), {@code configuration key and committed parts} (loading the
 *     model on the driver, its fingerprint, reading the parts), {@code evaluation} (the Spark job
 *     that evaluates the missing batches), {@code per-example table} and {@code report}
 */
public record EvaluationOutcome(
        RobustnessReport report,
        Path reportFile,
        Path examplesTable,
        int computedBatches,
        int reusedBatches,
        Map<String, Double> phaseSeconds) {}
