package dev.awp.djl.training;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import com.google.gson.JsonParser;
import dev.awp.djl.internal.AtomicFiles;
import dev.awp.event.CheckpointKind;
import dev.awp.report.EpochMetrics;
import dev.awp.training.AdversarialTraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's output directory: its layout ({@code metrics.jsonl}, {@code checkpoints/best.ckpt},
 * {@code last.ckpt}, {@code epoch-NNNN.ckpt}) and its files (the previous-run check, orphan
 * clean-up, the metrics log). A run without an output directory gets {@link #NONE}, which keeps no
 * files, so that nobody asks whether there is a directory.
 */
abstract class RunDirectory {

    /** The name of the metrics log in the output directory. */
    static final String METRICS_LOG = "metrics.jsonl";

    /** The name of the checkpoint folder in the output directory. */
    static final String CHECKPOINTS = "checkpoints";

    /** No output directory: no metrics log, no checkpoints, nothing to refuse or clean. */
    static final RunDirectory NONE = new None();

    private static final Logger LOG = LoggerFactory.getLogger(RunEvents.LOGGER);

    private static final Gson GSON = new Gson();

    private RunDirectory() {}

    /** The output directory at {@code directory}, created when the run first writes to it. */
    static RunDirectory at(Path directory) {
        return new OnDisk(requireNonNull(directory, "directory"));
    }

    /** {@code outputDirectory/checkpoints/last.ckpt}. */
    static Path lastCheckpoint(Path outputDirectory) {
        return requireNonNull(outputDirectory, "outputDirectory")
                .resolve(CHECKPOINTS)
                .resolve("last.ckpt");
    }

    /** {@code outputDirectory/checkpoints/best.ckpt}. */
    static Path bestCheckpoint(Path outputDirectory) {
        return requireNonNull(outputDirectory, "outputDirectory")
                .resolve(CHECKPOINTS)
                .resolve("best.ckpt");
    }

    /** {@code outputDirectory/checkpoints/epoch-NNNN.ckpt}, with the 1-based epoch number. */
    static Path periodicCheckpoint(Path outputDirectory, int epoch) {
        return requireNonNull(outputDirectory, "outputDirectory")
                .resolve(CHECKPOINTS)
                .resolve(String.format(Locale.ROOT, "epoch-%04d.ckpt", epoch + 1));
    }

    /**
     * Reads a run's {@code metrics.jsonl}: the metrics of every epoch it logged, in order.
     *
     * @throws UncheckedIOException if the log is missing or unreadable, naming the file
     * @throws IllegalArgumentException if a line is not a metrics object, naming the line
     */
    static List<EpochMetrics> readMetricsLog(Path outputDirectory) {
        Path log = requireNonNull(outputDirectory, "outputDirectory").resolve(METRICS_LOG);
        List<String> lines;
        try {
            lines = Files.readAllLines(log, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metrics log " + log, e);
        }
        List<EpochMetrics> metrics = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                metrics.add(
                        MetricsJson.fromJson(
                                JsonParser.parseString(lines.get(i)).getAsJsonObject()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        String.format(
                                Locale.ROOT,
                                "line %d of %s is not an epoch's metrics: %s",
                                i + 1,
                                log,
                                e.getMessage()),
                        e);
            }
        }
        return List.copyOf(metrics);
    }

    /**
     * Reads a checkpoint's state and checks that it belongs to the specification and can continue.
     *
     * @throws UncheckedIOException if the checkpoint cannot be read
     * @throws IllegalArgumentException if it belongs to another specification
     * @throws IllegalStateException if its run was complete
     */
    static RunState readState(Path file, AdversarialTraining spec) {
        Checkpoint.State state;
        try {
            state = Checkpoint.readState(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        state.identity().checkMatches(spec, file);
        if (state.run().nextEpoch() >= spec.epochs()) {
            throw new IllegalStateException(
                    "the run in " + file + " is complete: all " + spec.epochs() + " epochs ran");
        }
        return state.run();
    }

    /**
     * Refuses a directory that holds a previous run's metrics log or checkpoints, or, with {@code
     * overwrite}, deletes them.
     */
    abstract void refusePreviousRun(boolean overwrite);

    /** Deletes the temporary files of checkpoint writes that a killed process left behind. */
    abstract void removeOrphans();

    /** Writes {@code metrics.jsonl} anew with the epochs of {@code history}. */
    abstract void startMetricsLog(List<EpochMetrics> history);

    /** Appends one epoch to {@code metrics.jsonl}. */
    abstract void appendMetrics(EpochMetrics metrics);

    /**
     * Where the checkpoint of a kind goes after a 0-based epoch; empty when there is no directory.
     */
    abstract Optional<Path> checkpoint(CheckpointKind kind, int epoch);

    private static final class None extends RunDirectory {
        @Override
        void refusePreviousRun(boolean overwrite) {}

        @Override
        void removeOrphans() {}

        @Override
        void startMetricsLog(List<EpochMetrics> history) {}

        @Override
        void appendMetrics(EpochMetrics metrics) {}

        @Override
        Optional<Path> checkpoint(CheckpointKind kind, int epoch) {
            return Optional.empty();
        }
    }

    private static final class OnDisk extends RunDirectory {
        private final Path directory;

        /** The lines of {@code metrics.jsonl}, rewritten whole on every change. */
        private final StringBuilder metricsLog = new StringBuilder();

        OnDisk(Path directory) {
            this.directory = directory;
        }

        @Override
        void refusePreviousRun(boolean overwrite) {
            List<Path> previous = new ArrayList<>();
            Path metrics = directory.resolve(METRICS_LOG);
            if (Files.exists(metrics)) {
                previous.add(metrics);
            }
            Path folder = directory.resolve(CHECKPOINTS);
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
                    throw new UncheckedIOException(
                            "cannot delete " + file + " of the previous run", e);
                }
            }
            LOG.info("Deleted the previous run in {} ({} files)", directory, previous.size());
        }

        @Override
        void removeOrphans() {
            try {
                List<Path> removed =
                        new ArrayList<>(
                                Checkpoint.removeTemporaryFiles(directory.resolve(CHECKPOINTS)));
                removed.addAll(AtomicFiles.removeOrphansOf(directory.resolve(METRICS_LOG)));
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

        @Override
        void startMetricsLog(List<EpochMetrics> history) {
            metricsLog.setLength(0);
            for (EpochMetrics metrics : history) {
                metricsLog.append(GSON.toJson(MetricsJson.toJson(metrics))).append('\n');
            }
            writeMetricsLog("cannot write ");
        }

        /**
         * Appends one epoch to {@code metrics.jsonl}: rewrites the whole log atomically, as every
         * file awp writes, so a process killed meanwhile leaves the previous log, never a partial
         * line. The log is small (one line per epoch).
         */
        @Override
        void appendMetrics(EpochMetrics metrics) {
            metricsLog.append(GSON.toJson(MetricsJson.toJson(metrics))).append('\n');
            writeMetricsLog("cannot append to ");
        }

        private void writeMetricsLog(String failure) {
            try {
                Files.createDirectories(directory);
                AtomicFiles.writeString(directory.resolve(METRICS_LOG), metricsLog);
            } catch (IOException e) {
                throw new UncheckedIOException(failure + METRICS_LOG, e);
            }
        }

        @Override
        Optional<Path> checkpoint(CheckpointKind kind, int epoch) {
            switch (kind) {
                case BEST:
                    return Optional.of(bestCheckpoint(directory));
                case LAST:
                    return Optional.of(lastCheckpoint(directory));
                case PERIODIC:
                    return Optional.of(periodicCheckpoint(directory, epoch));
                default:
                    throw new IllegalArgumentException(
                            "kind must be BEST, LAST or PERIODIC but was " + kind);
            }
        }
    }
}
