package dev.awp.djl.training;

import static java.nio.charset.StandardCharsets.UTF_8;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A checkpoint file: one zip archive with
 *
 * <ul>
 *   <li>{@code state.json} — the position in the run ({@code nextEpoch}), the seed, epochs and
 *       batch size it belongs to, the optimizer kind, the best epoch so far and its robust
 *       accuracy, the elapsed time, the metrics of every epoch so far, and the learning-rate factor
 *       and retry count of the divergence policy;
 *   <li>{@code parameters.params} — the weights and BatchNorm running statistics, as DJL's {@code
 *       Block.saveParameters} writes them (load them with {@code Block.loadParameters});
 *   <li>{@code optimizer.ndlist} — SGD's momentum buffers by parameter name (an encoded {@code
 *       NDList}); absent for optimizers whose state cannot be saved.
 * </ul>
 *
 * The random-number state needs no entry: the engine is re-seeded from the position in the run
 * before every batch ({@link RunSeeds}).
 *
 * <p><b>Atomicity.</b> {@link #write} writes the whole archive into a hidden temporary file in the
 * target's directory, forces it to disk, then renames it over the target with {@link
 * StandardCopyOption#ATOMIC_MOVE}: a reader sees the previous checkpoint or the new one, never a
 * partial file, and a failure while writing leaves the previous checkpoint intact and deletes the
 * temporary file.
 */
final class Checkpoint {

    static final String STATE = "state.json";
    static final String PARAMETERS = "parameters.params";
    static final String OPTIMIZER = "optimizer.ndlist";
    static final int FORMAT = 1;

    private static final Gson GSON = new Gson();

    private Checkpoint() {}

    /** What {@code state.json} holds. */
    record State(
            int nextEpoch,
            long seed,
            int epochs,
            int batchSize,
            String optimizer,
            Optional<Integer> bestEpoch,
            Optional<Accuracy> bestRobustAccuracy,
            double elapsedSeconds,
            List<EpochMetrics> history,
            double learningRateFactor,
            int retries) {

        String toJson() {
            JsonObject json = new JsonObject();
            json.addProperty("format", FORMAT);
            json.addProperty("nextEpoch", nextEpoch);
            json.addProperty("seed", seed);
            json.addProperty("epochs", epochs);
            json.addProperty("batchSize", batchSize);
            json.addProperty("optimizer", optimizer);
            bestEpoch.ifPresent(e -> json.addProperty("bestEpoch", e));
            bestRobustAccuracy.ifPresent(
                    a -> json.add("bestRobustAccuracy", MetricsJson.accuracy(a)));
            json.addProperty("elapsedSeconds", elapsedSeconds);
            JsonArray metrics = new JsonArray();
            history.forEach(m -> metrics.add(MetricsJson.toJson(m)));
            json.add("history", metrics);
            json.addProperty("learningRateFactor", learningRateFactor);
            json.addProperty("retries", retries);
            return GSON.toJson(json);
        }

        static State fromJson(String text) {
            JsonObject json = GSON.fromJson(text, JsonObject.class);
            int format = json.get("format").getAsInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException(
                        "checkpoint format must be " + FORMAT + " but was " + format);
            }
            List<EpochMetrics> history = new ArrayList<>();
            for (JsonElement element : json.getAsJsonArray("history")) {
                history.add(MetricsJson.fromJson(element.getAsJsonObject()));
            }
            return new State(
                    json.get("nextEpoch").getAsInt(),
                    json.get("seed").getAsLong(),
                    json.get("epochs").getAsInt(),
                    json.get("batchSize").getAsInt(),
                    json.get("optimizer").getAsString(),
                    json.has("bestEpoch")
                            ? Optional.of(json.get("bestEpoch").getAsInt())
                            : Optional.empty(),
                    json.has("bestRobustAccuracy")
                            ? Optional.of(MetricsJson.accuracy(json.get("bestRobustAccuracy")))
                            : Optional.empty(),
                    json.get("elapsedSeconds").getAsDouble(),
                    history,
                    json.get("learningRateFactor").getAsDouble(),
                    json.get("retries").getAsInt());
        }
    }

    /** Writes the entries of an archive. */
    interface Content {
        void writeTo(ZipOutputStream zip) throws IOException;
    }

    /** Writes a checkpoint of the block, with the optimizer state if any. */
    static void write(Path target, State state, Block block, NDList optimizerState)
            throws IOException {
        write(
                target,
                zip -> {
                    entry(zip, STATE, out -> out.write(state.toJson().getBytes(UTF_8)));
                    entry(zip, PARAMETERS, out -> block.saveParameters(new DataOutputStream(out)));
                    if (optimizerState != null) {
                        entry(zip, OPTIMIZER, optimizerState::encode);
                    }
                });
    }

    /** Writes an archive atomically: temporary file in the same directory, then rename. */
    static void write(Path target, Content content) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileOutputStream file = new FileOutputStream(temporary.toFile());
                    ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(file))) {
                content.writeTo(zip);
                zip.finish();
                zip.flush();
                file.getChannel().force(true);
            }
            try {
                Files.move(
                        temporary,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(
                        "the file system of " + directory + " cannot rename files atomically", e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Reads the state of a checkpoint. */
    static State readState(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            try (InputStream in = stream(zip, file, STATE)) {
                return State.fromJson(new String(in.readAllBytes(), UTF_8));
            }
        }
    }

    /** Loads the weights of a checkpoint into the block, creating arrays in {@code manager}. */
    static void loadParameters(Path file, Block block, NDManager manager) throws IOException {
        try (ZipFile zip = open(file);
                DataInputStream in = new DataInputStream(stream(zip, file, PARAMETERS))) {
            block.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException(
                    "the parameters in "
                            + file
                            + " do not fit the model: "
                            + e.getMessage()
                            + "; resume with the architecture the checkpoint was written with",
                    e);
        }
    }

    /** The optimizer state of a checkpoint, in {@code manager}, or null if it has none. */
    static NDList readOptimizerState(Path file, NDManager manager) throws IOException {
        try (ZipFile zip = open(file)) {
            ZipEntry entry = zip.getEntry(OPTIMIZER);
            if (entry == null) {
                return null;
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return NDList.decode(manager, in.readAllBytes());
            }
        }
    }

    private static ZipFile open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no checkpoint at " + file);
        }
        return new ZipFile(file.toFile());
    }

    private static InputStream stream(ZipFile zip, Path file, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new IOException(
                    "checkpoint " + file + " must contain " + name + " but it is missing");
        }
        return zip.getInputStream(entry);
    }

    private interface EntryWriter {
        void write(OutputStream out) throws IOException;
    }

    private static void entry(ZipOutputStream zip, String name, EntryWriter writer)
            throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        OutputStream unclosable =
                new java.io.FilterOutputStream(zip) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                };
        writer.write(unclosable);
        unclosable.flush();
        zip.closeEntry();
    }
}
