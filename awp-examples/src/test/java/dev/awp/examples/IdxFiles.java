package dev.awp.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Tiny MNIST-family folders in the real IDX format, for the examples' smoke tests. */
final class IdxFiles {

    private IdxFiles() {}

    /**
     * Writes the four standard files, the training pair gzipped and the test pair raw: random 28×28
     * pixels, labels cycling through the 10 classes.
     */
    static Path write(Path folder, int trainImages, int testImages) throws IOException {
        Files.createDirectories(folder);
        Random random = new Random(3);
        writeSplit(folder, "train", trainImages, true, random);
        writeSplit(folder, "t10k", testImages, false, random);
        return folder;
    }

    private static void writeSplit(
            Path folder, String prefix, int n, boolean gzipped, Random random) throws IOException {
        byte[] pixels = new byte[n * 28 * 28];
        random.nextBytes(pixels);
        ByteBuffer images = ByteBuffer.allocate(16 + pixels.length);
        images.putInt(0x00000803).putInt(n).putInt(28).putInt(28).put(pixels);
        ByteBuffer labels = ByteBuffer.allocate(8 + n);
        labels.putInt(0x00000801).putInt(n);
        for (int i = 0; i < n; i++) {
            labels.put((byte) (i % 10));
        }
        String suffix = gzipped ? ".gz" : "";
        Files.write(
                folder.resolve(prefix + "-images-idx3-ubyte" + suffix),
                encode(images.array(), gzipped));
        Files.write(
                folder.resolve(prefix + "-labels-idx1-ubyte" + suffix),
                encode(labels.array(), gzipped));
    }

    private static byte[] encode(byte[] bytes, boolean gzipped) throws IOException {
        if (!gzipped) {
            return bytes;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
