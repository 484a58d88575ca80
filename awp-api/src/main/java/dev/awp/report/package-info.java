/**
 * The results of a training run: {@link dev.awp.report.Accuracy accuracies} with their confidence
 * intervals, per-epoch {@link dev.awp.report.EpochMetrics metrics} (including the train–validation
 * robust gap that AWP is designed to close) and the final {@link dev.awp.report.TrainingReport
 * report}, which keeps the specification it was produced from; and the results of a robustness
 * evaluation: a {@link dev.awp.report.RobustnessReport} with one {@link
 * dev.awp.report.AttackResult} per attack of the cascade and the cumulative worst case.
 */
@ValueStyle
package dev.awp.report;

import dev.awp.internal.ValueStyle;
