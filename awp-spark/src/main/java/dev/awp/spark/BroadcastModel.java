package dev.awp.spark;

import ai.djl.Model;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A model whose files the driver read and shipped as a Spark broadcast: an executor fetches them
 * once (when {@link ExecutorModels} first asks for this source), writes them to a temporary
 * directory, loads them as the original source would, and deletes the copy. Keyed by the SHA-256 of
 * the files' names and bytes, so a JVM loads each model once whatever its path.
 */
final class BroadcastModel extends ModelSource {

    private static final long serialVersionUID = 1L;

    private final ModelSource original;
    private final Broadcast<ModelBytes> files;
    private final String digest;

    private BroadcastModel(ModelSource original, Broadcast<ModelBytes> files, String digest) {
        this.original = original;
        this.files = files;
        this.digest = digest;
    }

    /**
     * Reads the files of {@code source} on the driver and broadcasts them.
     *
     * @throws IllegalArgumentException if the files are missing
     */
    static BroadcastModel of(JavaSparkContext context, ModelSource source) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM must provide SHA-256", e);
        }
        for (Path file : source.files()) {
            String name = file.getFileName().toString();
            byte[] content;
            try {
                content = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the model file " + file, e);
            }
            sha256.update(name.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(content);
            bytes.put(name, content);
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        return new BroadcastModel(source, context.broadcast(new ModelBytes(bytes)), digest);
    }

    /** Removes the broadcast from the executors and the driver; executors keep loaded models. */
    void destroy() {
        files.destroy();
    }

    @Override
    Model load() {
        Path directory;
        try {
            directory = Files.createTempDirectory("awp-spark-model-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the model", e);
        }
        try {
            for (Map.Entry<String, byte[]> file : files.value().bytes.entrySet()) {
                Files.write(directory.resolve(file.getKey()), file.getValue());
            }
            return original.in(directory).load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the broadcast model to " + directory, e);
        } finally {
            deleteQuietly(directory);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            directory.toFile().deleteOnExit();
        }
    }

    @Override
    String cacheKey() {
        return "broadcast:" + digest;
    }

    @Override
    List<Path> files() {
        return original.files();
    }

    @Override
    Path directory() {
        return original.directory();
    }

    @Override
    ModelSource in(Path directory) {
        return original.in(directory);
    }

    @Override
    public String toString() {
        return original + ", broadcast (SHA-256 " + digest.substring(0, 12) + "…)";
    }

    /** The files' bytes by name: the broadcast value. */
    static final class ModelBytes implements Serializable {
        private static final long serialVersionUID = 1L;
        private final LinkedHashMap<String, byte[]> bytes;

        ModelBytes(Map<String, byte[]> bytes) {
            this.bytes = new LinkedHashMap<>(bytes);
        }
    }
}
