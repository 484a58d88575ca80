package dev.awp.spark;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.awp.djl.evaluation.EvaluationPart;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The committed parts of an evaluation: one file per run of batches, {@code
 * parts/batches-FFFFFF-CCCCCC.json} (first batch, batch count) in the output directory, each
 * holding the configuration key it was computed under and the {@link EvaluationPart}, written
 * atomically ({@link AtomicWrite}). A part file of another configuration is refused, never mixed
 * in.
 */
final class PartStore implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String directory;

    PartStore(Path output) {
        this.directory = output.toAbsolutePath().resolve("parts").toString();
    }

    private Path directory() {
        return Path.of(directory);
    }

    private Path file(int firstBatch, int batches) {
        return directory()
                .resolve(String.format(Locale.ROOT, "batches-%06d-%06d.json", firstBatch, batches));
    }

    /** Commits a part computed under {@code key}. */
    void commit(String key, EvaluationPart part) {
        JsonObject root = new JsonObject();
        root.add("key", JsonParser.parseString(key));
        root.add("part", JsonParser.parseString(part.toJson()));
        Path file = file(part.firstBatch(), part.batches());
        try {
            AtomicWrite.writeString(file, root.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit the evaluation part " + file, e);
        }
    }

    /** The part of these batches committed under {@code key}, or null if there is none. */
    EvaluationPart find(String key, int firstBatch, int batches) {
        Path file = file(firstBatch, batches);
        return Files.exists(file) ? read(file, key) : null;
    }

    /**
     * Every committed part, each checked to be of {@code key}.
     *
     * @throws IllegalArgumentException if a part belongs to another configuration
     */
    List<EvaluationPart> committed(String key) {
        List<EvaluationPart> parts = new ArrayList<>();
        if (!Files.isDirectory(directory())) {
            return parts;
        }
        try (Stream<Path> files = Files.list(directory())) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith("batches-") && name.endsWith(".json")) {
                    parts.add(read(file, key));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the evaluation parts in " + directory, e);
        }
        return parts;
    }

    private static EvaluationPart read(Path file, String key) {
        JsonObject root;
        try {
            root =
                    JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                            .getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the evaluation part " + file, e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(
                    "outputDirectory must hold evaluation parts but " + file + " is not one: " + e,
                    e);
        }
        JsonObject expected = JsonParser.parseString(key).getAsJsonObject();
        JsonElement stored = root.get("key");
        if (!expected.equals(stored)) {
            throw new IllegalArgumentException(
                    "outputDirectory must hold parts of this evaluation (same model, dataset,"
                            + " examples, seed, batch size, accounting and attacks) but "
                            + file
                            + " differs: "
                            + difference(stored, expected)
                            + "; delete the directory or choose another one to start afresh");
        }
        return EvaluationPart.fromJson(root.get("part").toString());
    }

    private static String difference(JsonElement stored, JsonObject key) {
        if (stored == null || !stored.isJsonObject()) {
            return "it has no key";
        }
        JsonObject old = stored.getAsJsonObject();
        for (String member : key.keySet()) {
            if (!Objects.equals(old.get(member), key.get(member))) {
                return member + " was " + old.get(member) + ", now " + key.get(member);
            }
        }
        return "its key has other members " + old.keySet();
    }
}
