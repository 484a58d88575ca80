package dev.awp.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that a reader (or a job started again after a kill) sees the old content or the
 * new one, never part of it: to a sibling first, forced to disk, then renamed over the target.
 */
final class AtomicWrite {

    private AtomicWrite() {}

    static void writeString(Path target, String text) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path sibling = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel channel =
                    FileChannel.open(
                            sibling,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(sibling, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(sibling);
        }
    }
}
