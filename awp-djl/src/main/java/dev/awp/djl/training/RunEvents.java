package dev.awp.djl.training;

import dev.awp.event.CheckpointKind;
import dev.awp.event.CheckpointWritten;
import dev.awp.event.EpochEnded;
import dev.awp.event.EvaluationCompleted;
import dev.awp.event.TrainingEventListener;
import dev.awp.event.TrainingFinished;
import dev.awp.event.TrainingStarted;
import dev.awp.event.TrainingWarning;
import dev.awp.event.WarningKind;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's events, each sent to every {@link TrainingEventListener} in the order they were added,
 * with the matching log line. The callers keep the order {@link TrainingEventListener} documents
 * (started; per epoch: evaluation, checkpoints, epoch ended; finished; warnings anywhere). The
 * console summary line is a listener too ({@link EpochSummary}).
 */
final class RunEvents {

    /**
     * The name of the run's logger: the trainer's class, so that logging configurations written for
     * {@code AdversarialTrainer} keep working whichever class logs.
     */
    static final String LOGGER = "dev.awp.djl.training.AdversarialTrainer";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final AdversarialTraining spec;
    private final List<TrainingEventListener> listeners;

    RunEvents(AdversarialTraining spec, List<TrainingEventListener> listeners) {
        this.spec = spec;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * {@link TrainingStarted}, then the INFO line that describes the run.
     *
     * @param start the state the run starts from
     * @param environment the engine, device and versions
     * @param augmentation the augmentation's description
     * @param extraData the extra data's description, {@code none} without
     * @param images the number of training images
     */
    void started(
            RunState start,
            Map<String, String> environment,
            String augmentation,
            String extraData,
            int images) {
        TrainingStarted event =
                TrainingStarted.builder()
                        .training(spec)
                        .firstEpoch(start.nextEpoch())
                        .environment(environment)
                        .augmentation(augmentation)
                        .build();
        emit(listener -> listener.onTrainingStarted(event));
        LOG.info(
                "Training {} epochs from epoch {} on {} ({} images, batch {}), seed {};"
                        + " augmentation: {}; optimizer: {}; BatchNorm forwards: {}; weight"
                        + " perturbation: {}; weight averaging: {}; extra data: {}",
                spec.epochs(),
                start.nextEpoch() + 1,
                environment.get("device"),
                images,
                spec.batchSize(),
                spec.seed(),
                augmentation,
                spec.optimizer().describe(),
                spec.batchNormForwards(),
                spec.weightPerturbation(),
                spec.weightAveraging().describe(),
                extraData);
    }

    /** {@link EvaluationCompleted} for the evaluated epoch of {@code metrics}. */
    void evaluationCompleted(EpochMetrics metrics) {
        EvaluationCompleted event =
                EvaluationCompleted.builder()
                        .training(spec)
                        .epoch(metrics.epoch())
                        .cleanAccuracy(metrics.cleanAccuracy().orElseThrow())
                        .robustAccuracy(metrics.robustAccuracy().orElseThrow())
                        .trainRobustAccuracy(metrics.trainRobustAccuracy())
                        .build();
        emit(listener -> listener.onEvaluationCompleted(event));
    }

    /** {@link CheckpointWritten}, after a DEBUG line. */
    void checkpointWritten(int epoch, CheckpointKind kind, Path file) {
        LOG.debug("Wrote the {} checkpoint of epoch {} to {}", kind, epoch + 1, file);
        CheckpointWritten event =
                CheckpointWritten.builder()
                        .training(spec)
                        .epoch(epoch)
                        .kind(kind)
                        .path(file.toString())
                        .build();
        emit(listener -> listener.onCheckpointWritten(event));
    }

    /** {@link EpochEnded}, after the epoch's INFO summary line. */
    void epochEnded(EpochMetrics metrics) {
        if (LOG.isInfoEnabled()) {
            LOG.info(EpochSummary.line(metrics, spec.epochs()));
        }
        EpochEnded event = EpochEnded.builder().training(spec).metrics(metrics).build();
        emit(listener -> listener.onEpochEnded(event));
    }

    /** A {@link TrainingWarning}, after a WARN line; the epoch is capped at the last one. */
    void warning(int epoch, WarningKind kind, String message) {
        LOG.warn(message);
        TrainingWarning event =
                TrainingWarning.builder()
                        .training(spec)
                        .epoch(Math.min(epoch, spec.epochs() - 1))
                        .kind(kind)
                        .message(message)
                        .build();
        emit(listener -> listener.onWarning(event));
    }

    /** {@link TrainingFinished}. */
    void finished(TrainingReport report) {
        emit(listener -> listener.onTrainingFinished(TrainingFinished.of(report)));
    }

    private void emit(Consumer<TrainingEventListener> event) {
        for (TrainingEventListener listener : listeners) {
            event.accept(listener);
        }
    }
}
