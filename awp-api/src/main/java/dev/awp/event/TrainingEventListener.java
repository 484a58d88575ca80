package dev.awp.event;

/**
 * Receives the events of a training run. Every method does nothing by default: override the ones
 * you need.
 *
 * <p>Events arrive on the training thread, in this order:
 *
 * <ol>
 *   <li>{@link #onTrainingStarted(TrainingStarted)}, once;
 *   <li>for every epoch: {@link #onEvaluationCompleted(EvaluationCompleted)} if the epoch was
 *       evaluated, {@link #onCheckpointWritten(CheckpointWritten)} for every checkpoint written
 *       after it, then {@link #onEpochEnded(EpochEnded)} with the epoch's complete metrics;
 *   <li>{@link #onTrainingFinished(TrainingFinished)}, once, if the run completes.
 * </ol>
 *
 * {@link #onWarning(TrainingWarning)} may come at any point after the start.
 *
 * <p>A listener should return quickly; an exception it throws stops the run.
 */
public interface TrainingEventListener {

    /**
     * Called once before the first epoch.
     *
     * @param event the specification and environment of the run
     */
    default void onTrainingStarted(TrainingStarted event) {}

    /**
     * Called at the end of every epoch, after its evaluation and checkpoints.
     *
     * @param event the epoch's metrics
     */
    default void onEpochEnded(EpochEnded event) {}

    /**
     * Called after every evaluation, before the checkpoints of the epoch.
     *
     * @param event the accuracies measured
     */
    default void onEvaluationCompleted(EvaluationCompleted event) {}

    /**
     * Called after every checkpoint is written.
     *
     * @param event where and why the checkpoint was written
     */
    default void onCheckpointWritten(CheckpointWritten event) {}

    /**
     * Called when the run diverges, its robust accuracy collapses, an evaluation sees catastrophic
     * overfitting, or the run rolls back to its last good state; any number of times, between the
     * other events.
     *
     * @param event what happened and what the run does about it
     */
    default void onWarning(TrainingWarning event) {}

    /**
     * Called once after the last epoch.
     *
     * @param event the report of the run
     */
    default void onTrainingFinished(TrainingFinished event) {}
}
