package dev.awp.djl.training;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.gson.Gson;
import dev.awp.report.EpochMetrics;
import dev.awp.training.AdversarialTraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    /** Deletes the temporary files of checkpoint writes that a killed process left behind. */
    void removeOrphans() {
        if (directory == null) {
            return;
        }
        Path folder = directory.resolve(AdversarialTrainer.CHECKPOINTS);
        try {
            List<Path> removed = Checkpoint.removeTemporaryFiles(folder);
            if (!removed.isEmpty()) {
                LOG.info(
                        "Deleted {} temporary files of interrupted checkpoint writes in {}",
                        removed.size(),
                        folder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the checkpoint folder " + folder, e);
        }
    }

    /**
     * Reads a checkpoint's state and checks that it belongs to the specification and can continue.
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

    /** Writes {@code metrics.jsonl} anew with the epochs of {@code history}. */
    void startMetricsLog(List<EpochMetrics> history) {
        if (directory == null) {
            return;
        }
        try {
            Files.createDirectories(directory);
            StringBuilder lines = new StringBuilder();
            for (EpochMetrics metrics : history) {
                lines.append(GSON.toJson(MetricsJson.toJson(metrics))).append('\n');
            }
            Files.writeString(directory.resolve(AdversarialTrainer.METRICS_LOG), lines, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + AdversarialTrainer.METRICS_LOG, e);
        }
    }

    /** Appends one epoch to {@code metrics.jsonl}. */
    void appendMetrics(EpochMetrics metrics) {
        if (directory == null) {
            return;
        }
        try (Writer writer =
                Files.newBufferedWriter(
                        directory.resolve(AdversarialTrainer.METRICS_LOG),
                        UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
            writer.write(GSON.toJson(MetricsJson.toJson(metrics)));
            writer.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + AdversarialTrainer.METRICS_LOG, e);
        }
    }
}
