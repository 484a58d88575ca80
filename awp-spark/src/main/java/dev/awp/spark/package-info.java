/**
 * Robustness evaluation on Apache Spark: {@link dev.awp.spark.SparkEvaluation} runs a {@link
 * dev.awp.djl.evaluation.RobustnessEvaluator}'s attacks (AutoAttack's cascade included) over a
 * Spark {@code Dataset} of images, partitioned on batch boundaries, each partition committed
 * atomically with the configuration's key, and merges the parts into the {@link
 * dev.awp.report.RobustnessReport} one JVM gives, plus a per-example Parquet table.
 *
 * <p>The model reaches the executors as a path ({@link dev.awp.spark.ModelSource}: DJL parameters
 * with a block factory, or a TorchScript file) and is loaded once per executor JVM.
 */
package dev.awp.spark;
