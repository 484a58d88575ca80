package dev.awp.djl.training;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.awp.djl.internal.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
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
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The checksum-sealed zip archive a {@link Checkpoint} is stored in: written atomically, sealed
 * with its SHA-256, and read only after verifying it.
 *
 * <p><b>Checksum.</b> The zip-file comment, which is the end of the file, is {@code awp-sha256:}
 * followed by 64 lowercase hexadecimal digits: the SHA-256 of every byte of the file before those
 * 64 digits (the entries, the central directory, the end record and the {@code awp-sha256:}
 * marker). {@link #write} writes the archive with 64 zeros in their place, hashes the file and
 * overwrites the zeros with the digest. Every read first streams the whole file once through a
 * SHA-256 digest and compares it with the trailer ({@link #openVerified}), then reads the entry
 * from the same open file, so the bytes it reads are the bytes it verified even if the checkpoint
 * is replaced meanwhile. Any changed, missing or added byte is detected (up to SHA-256 collisions);
 * a file without the trailer, such as an empty, truncated or format-1 file, is rejected as not a
 * verifiable awp checkpoint.
 *
 * <p><b>Errors.</b> Every read error is a {@link CheckpointException} whose message holds the
 * absolute path of the file, what is wrong with it and the other {@code *.ckpt} files of its folder
 * to resume from instead (or that there are none).
 *
 * <p><b>Atomicity.</b> {@link #write} writes and seals the whole archive in a hidden temporary file
 * {@code .<name>.<random>.tmp} in the target's directory, forces it to disk, then renames it over
 * the target atomically, as {@link AtomicFiles} writes every file: a reader sees the previous
 * checkpoint or the new one, never a partial file, and a failure while writing leaves the previous
 * checkpoint intact and deletes the temporary file.
 */
final class SealedArchive {

    /** What the zip-file comment starts with; the 64 hexadecimal digits of the SHA-256 follow. */
    static final String CHECKSUM_MARKER = "awp-sha256:";

    /** The number of hexadecimal digits of the checksum, the last bytes of the file. */
    static final int CHECKSUM_DIGITS = 64;

    private static final String PLACEHOLDER = CHECKSUM_MARKER + "0".repeat(CHECKSUM_DIGITS);
    private static final int TRAILER_LENGTH = PLACEHOLDER.length();

    private static final int BUFFER_SIZE = 1 << 16;

    private SealedArchive() {}

    /** Writes the entries of an archive; the archive's comment is the checksum's, not its own. */
    interface Content {
        void writeTo(ZipOutputStream zip) throws IOException;
    }

    /** Writes one entry of an archive to a stream that the writer must not close. */
    interface EntryWriter {
        void write(OutputStream out) throws IOException;
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
     * Opens the file and verifies its checksum; the channel's position is undefined.
     *
     * @param absolute the absolute path of the archive
     * @throws CheckpointException naming the file and the other checkpoints of its folder if the
     *     file is missing, unreadable, not a verifiable awp checkpoint or fails its checksum
     */
    static FileChannel openVerified(Path absolute) throws IOException {
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
    static InputStream entry(FileChannel channel, Path absolute, String name) throws IOException {
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

    static InputStream requiredEntry(FileChannel channel, Path absolute, String name)
            throws IOException {
        InputStream in = entry(channel, absolute, name);
        if (in == null) {
            throw unusable(absolute, "it must contain " + name + " but it is missing");
        }
        return in;
    }

    /** Writes one entry into the archive being written. */
    static void entry(ZipOutputStream zip, String name, EntryWriter writer) throws IOException {
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

    /** An error reading a checkpoint whose message says which file, what and what else to use. */
    static final class CheckpointException extends IOException {
        private static final long serialVersionUID = 1L;

        CheckpointException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static CheckpointException unusable(Path absolute, String problem) {
        return unusable(absolute, problem, null);
    }

    static CheckpointException unusable(Path absolute, String problem, Throwable cause) {
        return new CheckpointException(
                "checkpoint " + absolute + " cannot be used: " + problem + "; " + others(absolute),
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

    static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
