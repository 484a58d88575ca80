package dev.awp.djl.training;

import static java.nio.charset.StandardCharsets.UTF_8;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.awp.djl.internal.AtomicFiles;
import dev.awp.djl.training.SealedArchive.CheckpointException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint file: one zip archive with
 *
 * <ul>
 *   <li>{@code state.json} — the format ({@value #FORMAT}), the position in the run ({@code
 *       nextEpoch}), the seed, epochs and batch size it belongs to, the optimizer kind, the weight
 *       averaging ({@code weightAveraging}, absent when there is none), the best epoch so far and
 *       its robust accuracy, the elapsed time, the metrics of every epoch so far, and the
 *       learning-rate factor and retry count of the divergence policy;
 *   <li>{@code parameters.params} — the model the run gives the user: the weights (with {@link
 *       dev.awp.training.WeightAveraging}, the averaged weights) and BatchNorm running statistics,
 *       as DJL's {@code Block.saveParameters} writes them (load them with {@code
 *       Block.loadParameters});
 *   <li>{@code raw.params} — with weight averaging only: the raw weights the run trains, which a
 *       resume continues from;
 *   <li>{@code optimizer.ndlist} — the optimizer state by parameter name (SGD momentum, Adam
 *       moments, step counts; an encoded {@code NDList}); absent for optimizers whose state cannot
 *       be saved.
 * </ul>
 *
 * The random-number state needs no entry: the engine is re-seeded from the position in the run
 * before every batch ({@link RunSeeds}). {@link AdversarialTrainer} writes {@code best.ckpt},
 * {@code last.ckpt} and {@code epoch-NNNN.ckpt} in its output directory's {@code checkpoints/}; the
 * parameters entry is what {@link AdversarialTrainer#loadWeights} loads into a model.
 *
 * <p>The archive is a {@link SealedArchive}: sealed with a SHA-256 checksum in its trailer and
 * written atomically. Every read ({@link #verify}, {@link #readState}, {@link #loadParameters},
 * {@link #readOptimizerState}) verifies the checksum first and reads the entry from the same open
 * file; a changed, truncated or foreign file is rejected, and only a file with a valid checksum
 * whose parameters do not fit the block is reported as an architecture mismatch.
 *
 * <p><b>Errors.</b> Every read error is an {@link IOException} whose message holds the absolute
 * path of the file, what is wrong with it and the other {@code *.ckpt} files of its folder to
 * resume from instead (or that there are none).
 *
 * <p><b>Atomicity.</b> A reader sees the previous checkpoint or the new one, never a partial file,
 * and a failure while writing leaves the previous checkpoint intact. A process killed while writing
 * leaves a hidden temporary file {@code .<name>.<random>.tmp} behind; {@link #removeTemporaryFiles}
 * deletes such orphans.
 */
final class Checkpoint {

    static final String STATE = "state.json";
    static final String PARAMETERS = "parameters.params";
    static final String OPTIMIZER = "optimizer.ndlist";
    static final String RAW_PARAMETERS = "raw.params";

    /** The format of {@code state.json}; format 2 added the checksum trailer. */
    static final int FORMAT = 2;

    private static final Gson GSON = new Gson();

    private Checkpoint() {}

    /**
     * What {@code state.json} holds: which run the checkpoint belongs to, and the run's state.
     *
     * @param identity the run's seed, epochs, batch size and optimizer
     * @param run the position in the run, history, best epoch, time and divergence-policy state
     */
    record State(RunIdentity identity, RunState run) {

        String toJson() {
            JsonObject json = new JsonObject();
            json.addProperty("format", FORMAT);
            run.toJson(json, identity::toJson);
            return GSON.toJson(json);
        }

        static State fromJson(String text) {
            JsonObject json = GSON.fromJson(text, JsonObject.class);
            int format = json.get("format").getAsInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException(
                        "checkpoint format must be " + FORMAT + " but was " + format);
            }
            return new State(RunIdentity.fromJson(json), RunState.fromJson(json));
        }
    }

    /** Writes a checkpoint of the block, with the optimizer state if any. */
    static void write(Path target, State state, Block block, NDList optimizerState)
            throws IOException {
        write(target, state, block, optimizerState, AveragedWeights.NONE);
    }

    /**
     * Writes a checkpoint of the block, with the optimizer state if any; with an active average,
     * the model entry holds the averaged weights and {@value #RAW_PARAMETERS} the raw ones.
     */
    static void write(
            Path target, State state, Block block, NDList optimizerState, AveragedWeights averaged)
            throws IOException {
        SealedArchive.write(
                target,
                zip -> {
                    SealedArchive.entry(
                            zip, STATE, out -> out.write(state.toJson().getBytes(UTF_8)));
                    SealedArchive.entry(
                            zip,
                            PARAMETERS,
                            out ->
                                    averaged.withAveraged(
                                            () -> {
                                                block.saveParameters(new DataOutputStream(out));
                                                return null;
                                            }));
                    if (averaged.isActive()) {
                        SealedArchive.entry(
                                zip,
                                RAW_PARAMETERS,
                                out -> block.saveParameters(new DataOutputStream(out)));
                    }
                    if (optimizerState != null) {
                        SealedArchive.entry(zip, OPTIMIZER, optimizerState::encode);
                    }
                });
    }

    /**
     * Checks that a checkpoint is complete and unchanged since it was written: reads the whole file
     * once and compares its SHA-256 with the trailer.
     *
     * @throws IOException naming the file and the other checkpoints of its folder if the file is
     *     missing, unreadable, not a verifiable awp checkpoint or fails its checksum
     */
    static void verify(Path file) throws IOException {
        SealedArchive.openVerified(file.toAbsolutePath()).close();
    }

    /** Reads the state of a checkpoint, after verifying its checksum. */
    static State readState(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        try (FileChannel channel = SealedArchive.openVerified(absolute);
                InputStream in = SealedArchive.requiredEntry(channel, absolute, STATE)) {
            try {
                return State.fromJson(new String(in.readAllBytes(), UTF_8));
            } catch (IOException | RuntimeException e) {
                throw SealedArchive.unusable(
                        absolute, STATE + " cannot be read: " + SealedArchive.describe(e), e);
            }
        }
    }

    /**
     * Loads the weights of a checkpoint into the block, creating arrays in {@code manager}, after
     * verifying its checksum. Parameters of the block that are initialized must keep their shapes.
     */
    static void loadParameters(Path file, Block block, NDManager manager) throws IOException {
        loadParameters(file, PARAMETERS, block, manager);
    }

    /**
     * Loads the raw weights of a checkpoint written with weight averaging ({@value
     * #RAW_PARAMETERS}), or its model entry if it has no raw entry, as {@link #loadParameters}.
     */
    static void loadRawParameters(Path file, Block block, NDManager manager) throws IOException {
        loadParameters(file, hasRawParameters(file) ? RAW_PARAMETERS : PARAMETERS, block, manager);
    }

    /** Whether a checkpoint holds raw weights beside its model, after verifying its checksum. */
    static boolean hasRawParameters(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        try (FileChannel channel = SealedArchive.openVerified(absolute);
                InputStream in = SealedArchive.entry(channel, absolute, RAW_PARAMETERS)) {
            return in != null;
        }
    }

    private static void loadParameters(Path file, String entry, Block block, NDManager manager)
            throws IOException {
        Path absolute = file.toAbsolutePath();
        try (FileChannel channel = SealedArchive.openVerified(absolute);
                DataInputStream in =
                        new DataInputStream(
                                SealedArchive.requiredEntry(channel, absolute, entry))) {
            Map<String, Shape> shapes = initializedShapes(block);
            try {
                block.loadParameters(manager, in);
                if (in.read() != -1) {
                    throw mismatch(absolute, "the checkpoint has more parameters than the model");
                }
            } catch (EOFException e) {
                throw mismatch(absolute, "the checkpoint has fewer parameters than the model", e);
            } catch (MalformedModelException | IOException | RuntimeException e) {
                if (e instanceof CheckpointException) {
                    throw (CheckpointException) e;
                }
                throw mismatch(absolute, SealedArchive.describe(e), e);
            }
            for (Map.Entry<String, Shape> expected : shapes.entrySet()) {
                Shape loaded = block.getParameters().get(expected.getKey()).getArray().getShape();
                if (!loaded.equals(expected.getValue())) {
                    throw mismatch(
                            absolute,
                            "parameter "
                                    + expected.getKey()
                                    + " has shape "
                                    + loaded
                                    + " in the checkpoint but "
                                    + expected.getValue()
                                    + " in the model");
                }
            }
        }
    }

    /**
     * The optimizer state of a checkpoint, in {@code manager}, or null if it has none; after
     * verifying its checksum.
     */
    static NDList readOptimizerState(Path file, NDManager manager) throws IOException {
        Path absolute = file.toAbsolutePath();
        try (FileChannel channel = SealedArchive.openVerified(absolute);
                InputStream in = SealedArchive.entry(channel, absolute, OPTIMIZER)) {
            if (in == null) {
                return null;
            }
            try {
                return NDList.decode(manager, in);
            } catch (RuntimeException e) {
                throw SealedArchive.unusable(
                        absolute,
                        OPTIMIZER + " cannot be decoded: " + SealedArchive.describe(e),
                        e);
            }
        }
    }

    /**
     * Deletes the temporary files that {@link #write} leaves in a folder when the process is killed
     * while writing: regular files named {@code .<name>.<digits>.tmp}, as {@code
     * Files.createTempFile(folder, "." + name + ".", ".tmp")} names them. Other files are left
     * alone. Call it before a run starts writing to the folder, never while one writes there: it
     * would delete the file being written.
     *
     * @param checkpointFolder the folder of the checkpoints; nothing is done if it does not exist
     * @return the files deleted, in name order
     * @throws IOException if the folder cannot be listed or a file cannot be deleted
     */
    static List<Path> removeTemporaryFiles(Path checkpointFolder) throws IOException {
        return AtomicFiles.removeOrphans(checkpointFolder);
    }

    /** The shapes of the block's parameters that have arrays, by name. */
    private static Map<String, Shape> initializedShapes(Block block) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (var pair : block.getParameters()) {
            Parameter parameter = pair.getValue();
            if (parameter.isInitialized()) {
                shapes.put(pair.getKey(), parameter.getArray().getShape());
            }
        }
        return shapes;
    }

    private static CheckpointException mismatch(Path absolute, String problem) {
        return mismatch(absolute, problem, null);
    }

    private static CheckpointException mismatch(Path absolute, String problem, Throwable cause) {
        return new CheckpointException(
                "the parameters in "
                        + absolute
                        + " do not fit the model: "
                        + problem
                        + "; resume with the architecture the checkpoint was written with",
                cause);
    }
}
