package dev.awp.djl.training;

import ai.djl.training.Trainer;
import dev.awp.report.EpochMetrics;
import dev.awp.training.AdversarialTraining;

/**
 * The loop of one run: from a {@link RunState} to the state after the last epoch. Each epoch trains
 * ({@link TrainingPass}), lets the {@link DivergenceGuard} check the weights, evaluates ({@link
 * RobustnessProbe}, on the {@link AveragedWeights} when the run averages) when the plan says so and
 * lets the guard check the accuracies, then moves the state on and reports the epoch — evaluation,
 * checkpoints ({@link CheckpointWriter}), the metrics log ({@link RunDirectory}), epoch ended
 * ({@link RunEvents}) — before the guard keeps it as the good state. A failed epoch goes to {@link
 * DivergenceGuard#recover}, which rolls back and retries or stops the run.
 */
final class EpochLoop {

    private final AdversarialTraining spec;
    private final Trainer trainer;
    private final TrainingPass pass;
    private final RobustnessProbe probe;
    private final DivergenceGuard guard;
    private final CheckpointWriter checkpoints;
    private final RunDirectory directory;
    private final RunEvents events;
    private final AveragedWeights averaged;
    private final long started;
    private final double secondsBefore;

    /**
     * A loop over the epochs of one run.
     *
     * @param started {@link System#nanoTime()} when this process began the run
     * @param secondsBefore the run's time in earlier processes (before a resume)
     */
    EpochLoop(
            AdversarialTraining spec,
            Trainer trainer,
            TrainingPass pass,
            RobustnessProbe probe,
            DivergenceGuard guard,
            CheckpointWriter checkpoints,
            RunDirectory directory,
            RunEvents events,
            AveragedWeights averaged,
            long started,
            double secondsBefore) {
        this.spec = spec;
        this.trainer = trainer;
        this.pass = pass;
        this.probe = probe;
        this.guard = guard;
        this.checkpoints = checkpoints;
        this.directory = directory;
        this.events = events;
        this.averaged = averaged;
        this.started = started;
        this.secondsBefore = secondsBefore;
    }

    /**
     * Runs the epochs from {@code start.nextEpoch()} to the end.
     *
     * @return the state after the last epoch, with the time measured at the end
     * @throws TrainingDivergedException if the divergence policy stops the run
     */
    RunState run(RunState start) {
        RunState state = start;
        guard.start(state);
        averaged.keepGood();
        while (state.nextEpoch() < spec.epochs()) {
            try {
                state = epoch(state);
                guard.accept(state);
                averaged.keepGood();
            } catch (EpochFailure failure) {
                averaged.rollBack();
                state = guard.recover(failure, state.at(elapsedSeconds()));
            } catch (ArithmeticException e) {
                averaged.rollBack();
                EpochFailure failure = EpochFailure.diverged(state.nextEpoch(), e);
                state = guard.recover(failure, state.at(elapsedSeconds()));
            }
        }
        return state.at(elapsedSeconds());
    }

    private RunState epoch(RunState state) {
        int epoch = state.nextEpoch();
        long epochStart = System.nanoTime();
        TrainingPass.Totals totals = pass.run(epoch, state.learningRateFactor());
        trainer.notifyListeners(listener -> listener.onEpoch(trainer));
        guard.checkWeights(epoch);
        EpochMetrics.Builder metrics = totals.metrics(epoch);
        boolean evaluated = spec.evaluation().evaluatesAt(epoch, spec.epochs());
        if (evaluated) {
            RobustnessProbe.Result result = averaged.measure(() -> probe.measure(trainer));
            guard.checkEvaluation(epoch, result, state);
            metrics.cleanAccuracy(result.clean())
                    .robustAccuracy(result.robust())
                    .trainRobustAccuracy(result.trainRobust());
        }
        EpochMetrics done = metrics.elapsedSeconds((System.nanoTime() - epochStart) / 1e9).build();
        RunState after = state.afterEpoch(done, elapsedSeconds());
        if (evaluated) {
            events.evaluationCompleted(done);
        }
        checkpoints.afterEpoch(after);
        directory.appendMetrics(done);
        events.epochEnded(done);
        return after;
    }

    private double elapsedSeconds() {
        return secondsBefore + (System.nanoTime() - started) / 1e9;
    }
}
