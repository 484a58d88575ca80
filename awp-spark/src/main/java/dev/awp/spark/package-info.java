/**
 * Robustness evaluation on Apache Spark: {@link dev.awp.spark.SparkEvaluation} runs a {@link
 * dev.awp.djl.evaluation.RobustnessEvaluator}'s attacks (AutoAttack's cascade included) over a
 * Spark {@code Dataset} of images, partitioned on batch boundaries, each partition committed
 * atomically with the configuration's key, and merges the parts into the {@link
 * dev.awp.report.RobustnessReport} one JVM gives, plus a per-example Parquet table.
 *
 * <p>The model reaches the executors as a path ({@link dev.awp.spark.ModelSource}: DJL parameters
 * with a block factory, or a TorchScript file), or as the driver's bytes in a Spark broadcast
 * ({@link dev.awp.spark.SparkEvaluation.Builder#optBroadcastModel(boolean)}), and is loaded once
 * per executor JVM.
 *
 * <p>The module's application jar ({@code awp-spark-VERSION-app.jar}) runs under {@code
 * spark-submit} with the entry point {@link dev.awp.spark.EvaluateCommand}.
 */
package dev.awp.spark;
