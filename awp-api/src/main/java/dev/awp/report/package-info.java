/**
 * The results of a training run: {@link dev.awp.report.Accuracy accuracies} with their confidence
 * intervals, per-epoch {@link dev.awp.report.EpochMetrics metrics} (including the train–validation
 * robust gap that AWP is designed to close) and the final {@link dev.awp.report.TrainingReport
 * report}, which keeps the specification it was produced from.
 */
@ValueStyle
package dev.awp.report;

import dev.awp.internal.ValueStyle;
