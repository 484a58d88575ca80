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
 * A listener should return quickly; an exception it throws stops the run.
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
     * Called once after the last epoch.
     *
     * @param event the report of the run
     */
    default void onTrainingFinished(TrainingFinished event) {}
}
