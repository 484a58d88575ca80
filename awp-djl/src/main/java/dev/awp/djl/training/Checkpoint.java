package dev.awp.djl.training;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
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
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A checkpoint file: one zip archive with
 *
 * <ul>
 *   <li>{@code state.json} — the format ({@value #FORMAT}), the position in the run ({@code
 *       nextEpoch}), the seed, epochs and batch size it belongs to, the optimizer kind, the best
 *       epoch so far and its robust accuracy, the elapsed time, the metrics of every epoch so far,
 *       and the learning-rate factor and retry count of the divergence policy;
 *   <li>{@code parameters.params} — the weights and BatchNorm running statistics, as DJL's {@code
 *       Block.saveParameters} writes them (load them with {@code Block.loadParameters});
 *   <li>{@code optimizer.ndlist} — the optimizer state by parameter name (SGD momentum, Adam
 *       moments, step counts; an encoded {@code NDList}); absent for optimizers whose state cannot
 *       be saved.
 * </ul>
 *
 * The random-number state needs no entry: the engine is re-seeded from the position in the run
 * before every batch ({@link RunSeeds}).
 *
 * <p><b>Checksum.</b> The zip-file comment, which is the end of the file, is {@code awp-sha256:}
 * followed by 64 lowercase hexadecimal digits: the SHA-256 of every byte of the file before those
 * 64 digits (the entries, the central directory, the end record and the {@code awp-sha256:}
 * marker). {@link #write} writes the archive with 64 zeros in their place, hashes the file and
 * overwrites the zeros with the digest. Every read ({@link #verify}, {@link #readState}, {@link
 * #loadParameters}, {@link #readOptimizerState}) first streams the whole file once through a
 * SHA-256 digest and compares it with the trailer, then reads the entry from the same open file, so
 * the bytes it reads are the bytes it verified even if the checkpoint is replaced meanwhile. Any
 * changed, missing or added byte is detected (up to SHA-256 collisions); a file without the
 * trailer, such as an empty, truncated or format-1 file, is rejected as not a verifiable awp
 * checkpoint. Only a file with a valid checksum whose parameters do not fit the block is reported
 * as an architecture mismatch.
 *
 * <p><b>Errors.</b> Every read error is an {@link IOException} whose message holds the absolute
 * path of the file, what is wrong with it and the other {@code *.ckpt} files of its folder to
 * resume from instead (or that there are none).
 *
 * <p><b>Atomicity.</b> {@link #write} writes and seals the whole archive in a hidden temporary file
 * {@code .<name>.<random>.tmp} in the target's directory, forces it to disk, then renames it over
 * the target atomically, as {@link AtomicFiles} writes every file: a reader sees the previous
 * checkpoint or the new one, never a partial file, and a failure while writing leaves the previous
 * checkpoint intact and deletes the temporary file. A process killed while writing leaves the
 * temporary file behind; {@link #removeTemporaryFiles} deletes such orphans.
 */
final class Checkpoint {

    static final String STATE = "state.json";
    static final String PARAMETERS = "parameters.params";
    static final String OPTIMIZER = "optimizer.ndlist";

    /** The format of {@code state.json}; format 2 added the checksum trailer. */
    static final int FORMAT = 2;

    /** What the zip-file comment starts with; the 64 hexadecimal digits of the SHA-256 follow. */
    static final String CHECKSUM_MARKER = "awp-sha256:";

    /** The number of hexadecimal digits of the checksum, the last bytes of the file. */
    static final int CHECKSUM_DIGITS = 64;

    private static final String PLACEHOLDER = CHECKSUM_MARKER + "0".repeat(CHECKSUM_DIGITS);
    private static final int TRAILER_LENGTH = PLACEHOLDER.length();

    private static final int BUFFER_SIZE = 1 << 16;
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

    /** Writes the entries of an archive; the archive's comment is the checksum's, not its own. */
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

    /**
     * Writes an archive with its checksum trailer atomically: temporary file in the same directory,
     * sealed with the checksum, forced to disk, then renamed over the target.
     */
    static void write(Path target, Content content) throws IOException {
        AtomicFiles.writeFile(
                target,
                temporary -> {
                    try (OutputStream file = Files.newOutputStream(temporary);
                            ZipOutputStream zip =
                                    new ZipOutputStream(new BufferedOutputStream(file))) {
                        content.writeTo(zip);
                        zip.setComment(PLACEHOLDER);
                        zip.finish();
                    }
                    seal(temporary);
                });
    }

    /** Overwrites the placeholder digits at the end of the archive with its SHA-256, on disk. */
    private static void seal(Path archive) throws IOException {
        try (FileChannel channel =
                FileChannel.open(archive, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size < TRAILER_LENGTH || !PLACEHOLDER.equals(trailer(channel, size))) {
                throw new IllegalStateException(
                        "the archive "
                                + archive
                                + " must end with the checksum placeholder but does not");
            }
            long digitsAt = size - CHECKSUM_DIGITS;
            ByteBuffer digits =
                    ByteBuffer.wrap(
                            HexFormat.of().formatHex(sha256(channel, digitsAt)).getBytes(US_ASCII));
            while (digits.hasRemaining()) {
                channel.write(digits, digitsAt + digits.position());
            }
        }
    }

    /**
     * Checks that a checkpoint is complete and unchanged since it was written: reads the whole file
     * once and compares its SHA-256 with the trailer.
     *
     * @throws IOException naming the file and the other checkpoints of its folder if the file is
     *     missing, unreadable, not a verifiable awp checkpoint or fails its checksum
     */
    static void verify(Path file) throws IOException {
        openVerified(file.toAbsolutePath()).close();
    }

    /** Reads the state of a checkpoint, after verifying its checksum. */
    static State readState(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        try (FileChannel channel = openVerified(absolute);
                InputStream in = requiredEntry(channel, absolute, STATE)) {
            try {
                return State.fromJson(new String(in.readAllBytes(), UTF_8));
            } catch (IOException | RuntimeException e) {
                throw unusable(absolute, STATE + " cannot be read: " + describe(e), e);
            }
        }
    }

    /**
     * Loads the weights of a checkpoint into the block, creating arrays in {@code manager}, after
     * verifying its checksum. Parameters of the block that are initialized must keep their shapes.
     */
    static void loadParameters(Path file, Block block, NDManager manager) throws IOException {
        Path absolute = file.toAbsolutePath();
        try (FileChannel channel = openVerified(absolute);
                DataInputStream in =
                        new DataInputStream(requiredEntry(channel, absolute, PARAMETERS))) {
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
                throw mismatch(absolute, describe(e), e);
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
        try (FileChannel channel = openVerified(absolute);
                InputStream in = entry(channel, absolute, OPTIMIZER)) {
            if (in == null) {
                return null;
            }
            try {
                return NDList.decode(manager, in);
            } catch (RuntimeException e) {
                throw unusable(absolute, OPTIMIZER + " cannot be decoded: " + describe(e), e);
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

    /** Opens the file and verifies its checksum; the channel's position is undefined. */
    private static FileChannel openVerified(Path absolute) throws IOException {
        if (!Files.exists(absolute)) {
            throw unusable(absolute, "there is no such file");
        }
        if (!Files.isRegularFile(absolute)) {
            throw unusable(absolute, "it is not a regular file");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(absolute, StandardOpenOption.READ);
        } catch (IOException e) {
            throw unusable(absolute, "it cannot be opened: " + describe(e), e);
        }
        try {
            verify(channel, absolute);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void verify(FileChannel channel, Path absolute) throws IOException {
        try {
            long size = channel.size();
            if (size == 0) {
                throw unusable(absolute, "it is not a verifiable awp checkpoint: it is empty");
            }
            if (size < TRAILER_LENGTH || !trailer(channel, size).startsWith(CHECKSUM_MARKER)) {
                throw unusable(
                        absolute,
                        "it is not a verifiable awp checkpoint: it does not end with an "
                                + CHECKSUM_MARKER
                                + " checksum, so it is truncated, was not written by awp or"
                                + " was written in an older format");
            }
            byte[] recorded = new byte[CHECKSUM_DIGITS];
            readFully(channel, ByteBuffer.wrap(recorded), size - CHECKSUM_DIGITS);
            byte[] actual =
                    HexFormat.of()
                            .formatHex(sha256(channel, size - CHECKSUM_DIGITS))
                            .getBytes(US_ASCII);
            if (!MessageDigest.isEqual(recorded, actual)) {
                throw unusable(
                        absolute,
                        "checksum mismatch: the file is corrupt or was changed after it was"
                                + " written");
            }
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw unusable(absolute, "it cannot be read: " + describe(e), e);
        }
    }

    /** The last {@link #TRAILER_LENGTH} bytes of the file, as ISO-8859-1 text. */
    private static String trailer(FileChannel channel, long size) throws IOException {
        byte[] bytes = new byte[TRAILER_LENGTH];
        readFully(channel, ByteBuffer.wrap(bytes), size - TRAILER_LENGTH);
        return new String(bytes, ISO_8859_1);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
            throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException("the file ended while reading it");
            }
        }
    }

    /** The SHA-256 of the first {@code length} bytes of the file, streamed. */
    private static byte[] sha256(FileChannel channel, long length) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
        long position = 0;
        while (position < length) {
            buffer.clear().limit((int) Math.min(BUFFER_SIZE, length - position));
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new EOFException("the file ended while computing its checksum");
            }
            buffer.flip();
            sha256.update(buffer);
            position += read;
        }
        return sha256.digest();
    }

    /** The named entry of the verified archive, or null if it has none. */
    private static InputStream entry(FileChannel channel, Path absolute, String name)
            throws IOException {
        try {
            channel.position(0);
            ZipInputStream zip =
                    new ZipInputStream(
                            new BufferedInputStream(Channels.newInputStream(channel), BUFFER_SIZE));
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals(name)) {
                    return zip;
                }
            }
            return null;
        } catch (IOException e) {
            throw unusable(absolute, "its zip archive cannot be read: " + describe(e), e);
        }
    }

    private static InputStream requiredEntry(FileChannel channel, Path absolute, String name)
            throws IOException {
        InputStream in = entry(channel, absolute, name);
        if (in == null) {
            throw unusable(absolute, "it must contain " + name + " but it is missing");
        }
        return in;
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

    /** An error reading a checkpoint whose message says which file, what and what else to use. */
    private static final class CheckpointException extends IOException {
        private static final long serialVersionUID = 1L;

        CheckpointException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static CheckpointException unusable(Path absolute, String problem) {
        return unusable(absolute, problem, null);
    }

    private static CheckpointException unusable(Path absolute, String problem, Throwable cause) {
        return new CheckpointException(
                "checkpoint " + absolute + " cannot be used: " + problem + "; " + others(absolute),
                cause);
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

    /** The other {@code *.ckpt} files of the file's folder, as advice. */
    private static String others(Path absolute) {
        Path folder = absolute.getParent();
        List<String> names = new ArrayList<>();
        if (folder != null && Files.isDirectory(folder)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.ckpt")) {
                for (Path other : files) {
                    String name = other.getFileName().toString();
                    if (!other.equals(absolute)
                            && !name.startsWith(".")
                            && Files.isRegularFile(other)) {
                        names.add(name);
                    }
                }
            } catch (IOException e) {
                return "the other checkpoints in " + folder + " cannot be listed: " + describe(e);
            }
        }
        if (names.isEmpty()) {
            return "there are no other checkpoints in " + folder + "; start again";
        }
        names.sort(null);
        return "other checkpoints in "
                + folder
                + ": "
                + String.join(", ", names)
                + "; resume from one of them or start again";
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private interface EntryWriter {
        void write(OutputStream out) throws IOException;
    }

    private static void entry(ZipOutputStream zip, String name, EntryWriter writer)
            throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        OutputStream unclosable =
                new FilterOutputStream(zip) {
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
