package dev.awp.djl.training;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.Gson;
import dev.awp.djl.internal.AtomicFiles;
import dev.awp.report.EpochMetrics;
import dev.awp.training.AdversarialTraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run keeps in its output directory and how: the previous-run check, orphan clean-up, the
 * checks that a checkpoint belongs to the specification, and {@code metrics.jsonl}. A run without
 * an output directory gets an instance whose methods do nothing.
 */
final class RunOutput {

    private static final Logger LOG = LoggerFactory.getLogger(AdversarialTrainer.class);
    private static final Gson GSON = new Gson();

    private final Path directory;

    /** The lines of {@code metrics.jsonl}, rewritten whole on every change. */
    private final StringBuilder metricsLog = new StringBuilder();

    private RunOutput(Path directory) {
        this.directory = directory;
    }

    /** The output of a run into {@code directory}, which may be null (no output). */
    static RunOutput of(Path directory) {
        return new RunOutput(directory);
    }

    /**
     * Refuses a directory that holds a previous run's metrics log or checkpoints, or, with {@code
     * overwrite}, deletes them.
     */
    void refusePreviousRun(boolean overwrite) {
        if (directory == null) {
            return;
        }
        List<Path> previous = new ArrayList<>();
        Path metrics = directory.resolve(AdversarialTrainer.METRICS_LOG);
        if (Files.exists(metrics)) {
            previous.add(metrics);
        }
        Path folder = directory.resolve(AdversarialTrainer.CHECKPOINTS);
        if (Files.isDirectory(folder)) {
            try (var files = Files.list(folder)) {
                files.filter(f -> f.getFileName().toString().endsWith(".ckpt"))
                        .sorted()
                        .forEach(previous::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + folder, e);
            }
        }
        if (previous.isEmpty()) {
            return;
        }
        if (!overwrite) {
            throw new IllegalStateException(
                    "outputDirectory "
                            + directory
                            + " holds a previous run ("
                            + previous.size()
                            + " files, e.g. "
                            + previous.get(0).getFileName()
                            + "): continue it with resume(model), choose a new directory, or"
                            + " set optOverwrite(true) to replace it");
        }
        for (Path file : previous) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + file + " of the previous run", e);
            }
        }
        LOG.info("Deleted the previous run in {} ({} files)", directory, previous.size());
    }

    /**
     * Deletes the temporary files of checkpoint and {@code metrics.jsonl} writes that a killed
     * process left behind.
     */
    void removeOrphans() {
        if (directory == null) {
            return;
        }
        Path folder = directory.resolve(AdversarialTrainer.CHECKPOINTS);
        try {
            List<Path> removed = new ArrayList<>(Checkpoint.removeTemporaryFiles(folder));
            removed.addAll(
                    AtomicFiles.removeOrphansOf(directory.resolve(AdversarialTrainer.METRICS_LOG)));
            if (!removed.isEmpty()) {
                LOG.info(
                        "Deleted {} temporary files of interrupted writes in {}",
                        removed.size(),
                        directory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the output directory " + directory, e);
        }
    }

    /**
     * Reads a checkpoint's state and checks that it belongs to the specification and can continue.
     */
    static Checkpoint.State readState(Path file, AdversarialTraining spec) {
        Checkpoint.State state;
        try {
            state = Checkpoint.readState(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        checkArgument(
                state.seed() == spec.seed(),
                "checkpoint seed must be the specification's (%s) but was %s: %s belongs to"
                        + " another run",
                spec.seed(),
                state.seed(),
                file);
        checkArgument(
                state.epochs() == spec.epochs(),
                "checkpoint epochs must be the specification's (%s) but was %s: the schedule"
                        + " would not continue where it stopped",
                spec.epochs(),
                state.epochs());
        checkArgument(
                state.batchSize() == spec.batchSize(),
                "checkpoint batchSize must be the specification's (%s) but was %s",
                spec.batchSize(),
                state.batchSize());
        checkArgument(
                state.optimizer().equals(spec.optimizer().kind().name()),
                "checkpoint optimizer must be the specification's (%s) but was %s",
                spec.optimizer().kind(),
                state.optimizer());
        if (state.nextEpoch() >= spec.epochs()) {
            throw new IllegalStateException(
                    "the run in " + file + " is complete: all " + spec.epochs() + " epochs ran");
        }
        return state;
    }

    /** Writes {@code metrics.jsonl} anew with the epochs of {@code history}. */
    void startMetricsLog(List<EpochMetrics> history) {
        if (directory == null) {
            return;
        }
        metricsLog.setLength(0);
        for (EpochMetrics metrics : history) {
            metricsLog.append(GSON.toJson(MetricsJson.toJson(metrics))).append('\n');
        }
        writeMetricsLog("cannot write ");
    }

    /**
     * Appends one epoch to {@code metrics.jsonl}: rewrites the whole log atomically, as every file
     * awp writes, so a process killed meanwhile leaves the previous log, never a partial line. The
     * log is small (one line per epoch).
     */
    void appendMetrics(EpochMetrics metrics) {
        if (directory == null) {
            return;
        }
        metricsLog.append(GSON.toJson(MetricsJson.toJson(metrics))).append('\n');
        writeMetricsLog("cannot append to ");
    }

    private void writeMetricsLog(String failure) {
        try {
            AtomicFiles.writeString(directory.resolve(AdversarialTrainer.METRICS_LOG), metricsLog);
        } catch (IOException e) {
            throw new UncheckedIOException(failure + AdversarialTrainer.METRICS_LOG, e);
        }
    }
}
