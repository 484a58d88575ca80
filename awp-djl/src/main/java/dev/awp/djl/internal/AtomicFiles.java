package dev.awp.djl.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one durability rule for every file awp writes: write the whole content to a hidden sibling
 * temporary file {@code .<name>.<random>.tmp}, force it to disk, then rename it over the target
 * with {@link StandardCopyOption#ATOMIC_MOVE}. A reader sees the previous file or the new one,
 * never a partial file; a failure while writing leaves the previous file intact and deletes the
 * temporary file. A file system that cannot rename atomically is refused with an {@link
 * IOException} naming the folder: there is no fallback to a plain move, which could leave a partial
 * file.
 *
 * <p>A process killed while writing leaves its temporary file behind; {@link #removeOrphans} and
 * {@link #removeOrphansOf} delete such orphans. After the rename the folder is forced too, where
 * the platform allows it (Linux and macOS; not Windows), so the rename itself survives a power
 * failure.
 *
 * <p>Internal to awp; not part of the API.
 */
public final class AtomicFiles {

    /**
     * The names {@code Files.createTempFile(directory, "." + name + ".", ".tmp")} gives: a dot, the
     * target's name, a dot, an unsigned decimal {@code long}, {@code .tmp}.
     */
    private static final Pattern TEMPORARY_FILE = Pattern.compile("\\..+\\.[0-9]{1,20}\\.tmp");

    /** Writes the whole content of a file to an output stream. */
    @FunctionalInterface
    public interface StreamContent {
        /**
         * Writes the content.
         *
         * @param out the temporary file's stream, buffered; closed by {@link AtomicFiles}
         * @throws IOException if the content cannot be written
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes the whole content of a file to a path, for writers that need the file itself. */
    @FunctionalInterface
    public interface FileContent {
        /**
         * Writes the content to the temporary file, which exists and is empty. The writer may
         * reopen it (to seal a checksum, say) but must close every channel it opens.
         *
         * @param temporary the temporary file, a sibling of the target
         * @throws IOException if the content cannot be written
         */
        void writeTo(Path temporary) throws IOException;
    }

    /** The rename, replaceable in tests to simulate a file system without atomic renames. */
    @FunctionalInterface
    interface Rename {
        void move(Path source, Path target) throws IOException;
    }

    private static final Rename ATOMIC_RENAME =
            (source, target) ->
                    Files.move(
                            source,
                            target,
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);

    private AtomicFiles() {}

    /**
     * Writes {@code bytes} to {@code target} atomically (see the class comment).
     *
     * @param target the file to write (replaced if it exists); its folder is created if missing
     * @param bytes the whole content
     * @throws IOException if the file cannot be written, or the file system cannot rename it
     *     atomically
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        requireNonNull(bytes, "bytes");
        write(target, out -> out.write(bytes));
    }

    /**
     * Writes {@code text} in UTF-8 to {@code target} atomically (see the class comment).
     *
     * @param target the file to write (replaced if it exists); its folder is created if missing
     * @param text the whole content
     * @throws IOException if the file cannot be written, or the file system cannot rename it
     *     atomically
     */
    public static void writeString(Path target, CharSequence text) throws IOException {
        requireNonNull(text, "text");
        write(target, text.toString().getBytes(UTF_8));
    }

    /**
     * Writes what {@code content} writes to a stream to {@code target} atomically (see the class
     * comment).
     *
     * @param target the file to write (replaced if it exists); its folder is created if missing
     * @param content writes the whole content
     * @throws IOException if the file cannot be written, or the file system cannot rename it
     *     atomically
     */
    public static void write(Path target, StreamContent content) throws IOException {
        requireNonNull(content, "content");
        writeFile(
                target,
                temporary -> {
                    try (OutputStream out =
                            new BufferedOutputStream(Files.newOutputStream(temporary))) {
                        content.writeTo(out);
                    }
                });
    }

    /**
     * Writes what {@code content} writes to the temporary file to {@code target} atomically (see
     * the class comment).
     *
     * @param target the file to write (replaced if it exists); its folder is created if missing
     * @param content writes the whole content to the temporary file
     * @throws IOException if the file cannot be written, or the file system cannot rename it
     *     atomically
     */
    public static void writeFile(Path target, FileContent content) throws IOException {
        writeFile(target, content, ATOMIC_RENAME);
    }

    static void writeFile(Path target, FileContent content, Rename rename) throws IOException {
        requireNonNull(target, "target");
        requireNonNull(content, "content");
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        Files.createDirectories(directory);
        Path temporary =
                Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".tmp");
        try {
            content.writeTo(temporary);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                rename.move(temporary, absolute);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(
                        "cannot write "
                                + absolute
                                + ": the file system of "
                                + directory
                                + " cannot rename files atomically; write to a local file system"
                                + " instead",
                        e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        forceDirectory(directory);
    }

    /**
     * Deletes the temporary files that writes into {@code directory} left behind when the process
     * was killed: regular files named {@code .<name>.<digits>.tmp}. Other files are left alone.
     * Call it before anything writes to the folder, never while a write may be running there: it
     * would delete the file being written.
     *
     * @param directory the folder; nothing is done if it does not exist
     * @return the files deleted, in name order
     * @throws IOException if the folder cannot be listed or a file cannot be deleted
     */
    public static List<Path> removeOrphans(Path directory) throws IOException {
        requireNonNull(directory, "directory");
        return remove(directory, null);
    }

    /**
     * Deletes the temporary files that writes of {@code target} left behind when the process was
     * killed: regular files named {@code .<target's name>.<digits>.tmp} in its folder. Temporary
     * files of other targets are left alone. Call it before {@code target} is written, never while
     * it may be.
     *
     * @param target the file whose orphans to delete; it need not exist
     * @return the files deleted, in name order
     * @throws IOException if the folder cannot be listed or a file cannot be deleted
     */
    public static List<Path> removeOrphansOf(Path target) throws IOException {
        requireNonNull(target, "target");
        Path absolute = target.toAbsolutePath();
        return remove(absolute.getParent(), "." + absolute.getFileName() + ".");
    }

    private static List<Path> remove(Path directory, String prefix) throws IOException {
        List<Path> deleted = new ArrayList<>();
        if (directory == null || !Files.isDirectory(directory)) {
            return deleted;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (TEMPORARY_FILE.matcher(name).matches()
                        && (prefix == null
                                || (name.startsWith(prefix)
                                        && name.substring(prefix.length()).matches("[0-9]+\\.tmp")))
                        && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    deleted.add(file);
                }
            }
        }
        deleted.sort(null);
        for (Path file : deleted) {
            Files.deleteIfExists(file);
        }
        return deleted;
    }

    /**
     * Forces a folder's entries (the rename) to disk. Windows cannot open a folder as a channel;
     * there, and wherever else the platform refuses, the rename is left to the file system.
     */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not supported on this platform: the file itself was forced before the rename
        }
    }
}
