package dev.awp.examples;

import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Writes {@link SyntheticShapes} to {@code train.bin} and {@code test.bin} in the CIFAR-10 binary
 * record layout (one label byte, then 3,072 pixel bytes in CHW order), so that tools outside the
 * JVM — the PyTorch cross-checks in {@code src/main/python} — train on exactly the bytes our
 * examples train on.
 *
 * <pre>
 * ./mvnw -q verify -Prun -pl awp-examples -am -DskipTests -Dinvoker.skip \
 *     -Dexample.main=dev.awp.examples.ExportSyntheticShapes -Dexample.args="--output /tmp/shapes"
 * </pre>
 *
 * Options: {@code --output DIR} (required), {@code --train N} (5000), {@code --test N} (500),
 * {@code --seed N} (0).
 */
public final class ExportSyntheticShapes {

    private ExportSyntheticShapes() {}

    /**
     * Runs the export from the command line.
     *
     * @param args the options; see the class documentation
     * @throws IOException if a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        runExample(args);
    }

    /**
     * Writes the two files.
     *
     * @param args the options; see the class documentation
     * @return the output folder
     * @throws IOException if a file cannot be written
     * @throws IllegalArgumentException if an option is missing or invalid
     */
    public static Path runExample(String... args) throws IOException {
        ExampleArgs options =
                ExampleArgs.parse(args, Set.of("output", "train", "test", "seed"), Set.of());
        if (!options.has("output")) {
            throw new IllegalArgumentException("--output must be given: the folder to write to");
        }
        Path output = Path.of(options.string("output", "."));
        int seed = options.integer("seed", 0, 0);
        Files.createDirectories(output);
        write(SyntheticShapes.train(options.integer("train", 5000, 1), seed), output, "train.bin");
        write(SyntheticShapes.test(options.integer("test", 500, 1), seed), output, "test.bin");
        System.out.println("Wrote train.bin and test.bin to " + output.toAbsolutePath());
        return output;
    }

    private static void write(ImageDataset data, Path folder, String name) throws IOException {
        Path temp = Files.createTempFile(folder, name, ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp))) {
            for (int i = 0; i < data.size(); i++) {
                out.write(data.label(i));
                out.write(data.image(i));
            }
        }
        Files.move(
                temp,
                folder.resolve(name),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
