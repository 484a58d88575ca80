package dev.awp.djl.evaluation;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The progress of one robustness evaluation, written after every stage (the clean pass of a batch,
 * or one attack on a batch) so that an interrupted evaluation continues where it stopped, as
 * AutoAttack's {@code state_path} does. The file is replaced atomically (written next to it, then
 * moved over it), so a kill leaves the previous state or the new one, never half of one.
 *
 * <p>It holds what identifies the evaluation ({@link #key}: dataset, examples, seed, batch size,
 * accounting, every attack's settings, the model's fingerprint), the position (the batch and the
 * number of its stages done), the counters, the per-example codes so far, the warnings and the time
 * spent. Attacks are re-seeded per batch and attack, so continuing from a stage boundary gives the
 * counts an uninterrupted run gives.
 */
final class EvaluationState {

    /** The schema identifier written in every state file. */
    static final String SCHEMA = "awp.evaluation-state/1";

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /** What must match for a state to be continued. */
    final JsonObject key;

    /** The batch in progress (or the next one, with {@code stagesDone == 0}). */
    int batch;

    /** Stages done in {@link #batch}: 0 none, 1 the clean pass, 1 + k + 1 attack k too. */
    int stagesDone;

    int total;
    int clean;
    final int[] attacked;
    final int[] survived;
    final int[] cumulative;
    final long[] nanos;
    final long[] queries;
    final List<Integer> codes = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    long elapsedNanos;

    EvaluationState(JsonObject key, int attacks) {
        this.key = key;
        attacked = new int[attacks];
        survived = new int[attacks];
        cumulative = new int[attacks];
        nanos = new long[attacks];
        queries = new long[attacks];
    }

    /**
     * Reads a state, or returns null when the file does not exist.
     *
     * @throws IllegalArgumentException if the file is not a state of this evaluation
     */
    static EvaluationState read(Path path, JsonObject key, int attacks) {
        if (!Files.exists(path)) {
            return null;
        }
        JsonObject root;
        try {
            root =
                    JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8))
                            .getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the evaluation state " + path, e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(
                    "statePath must hold an evaluation state ("
                            + SCHEMA
                            + ") but "
                            + path
                            + " is not JSON: "
                            + e,
                    e);
        }
        JsonElement schema = root.get("schema");
        if (schema == null || !SCHEMA.equals(schema.getAsString())) {
            throw new IllegalArgumentException(
                    "statePath must hold an evaluation state of schema "
                            + SCHEMA
                            + " but "
                            + path
                            + " has schema "
                            + schema);
        }
        JsonObject stored = root.getAsJsonObject("key");
        if (!Objects.equals(stored, key)) {
            throw new IllegalArgumentException(
                    "statePath "
                            + path
                            + " must hold the state of this evaluation (same model, dataset,"
                            + " examples, seed, batch size, accounting and attacks) but differs: "
                            + difference(stored, key)
                            + "; delete it or choose another path to start afresh");
        }
        EvaluationState state = new EvaluationState(key, attacks);
        state.batch = root.get("batch").getAsInt();
        state.stagesDone = root.get("stagesDone").getAsInt();
        state.total = root.get("total").getAsInt();
        state.clean = root.get("clean").getAsInt();
        read(root.getAsJsonArray("attacked"), state.attacked);
        read(root.getAsJsonArray("survived"), state.survived);
        read(root.getAsJsonArray("cumulative"), state.cumulative);
        readLongs(root.getAsJsonArray("nanos"), state.nanos);
        readLongs(root.getAsJsonArray("queries"), state.queries);
        for (JsonElement code : root.getAsJsonArray("brokenBy")) {
            state.codes.add(code.getAsInt());
        }
        for (JsonElement warning : root.getAsJsonArray("warnings")) {
            state.warnings.add(warning.getAsString());
        }
        state.elapsedNanos = root.get("elapsedNanos").getAsLong();
        return state;
    }

    /** Writes the state atomically: to a sibling file, then moved over {@code path}. */
    void write(Path path) {
        JsonObject root = new JsonObject();
        root.addProperty("schema", SCHEMA);
        root.add("key", key);
        root.addProperty("batch", batch);
        root.addProperty("stagesDone", stagesDone);
        root.addProperty("total", total);
        root.addProperty("clean", clean);
        root.add("attacked", ints(attacked));
        root.add("survived", ints(survived));
        root.add("cumulative", ints(cumulative));
        root.add("nanos", longs(nanos));
        root.add("queries", longs(queries));
        JsonArray brokenBy = new JsonArray(codes.size());
        codes.forEach(brokenBy::add);
        root.add("brokenBy", brokenBy);
        JsonArray warningArray = new JsonArray();
        warnings.forEach(warningArray::add);
        root.add("warnings", warningArray);
        root.addProperty("elapsedNanos", elapsedNanos);
        Path absolute = path.toAbsolutePath();
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            Files.writeString(temporary, GSON.toJson(root), StandardCharsets.UTF_8);
            try {
                Files.move(
                        temporary,
                        absolute,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the evaluation state " + path, e);
        }
    }

    private static String difference(JsonObject stored, JsonObject key) {
        if (stored == null) {
            return "it has no key";
        }
        for (String member : key.keySet()) {
            if (!Objects.equals(stored.get(member), key.get(member))) {
                return member + " was " + stored.get(member) + ", now " + key.get(member);
            }
        }
        return "its key has other members " + stored.keySet();
    }

    private static JsonArray ints(int[] values) {
        JsonArray array = new JsonArray(values.length);
        for (int value : values) {
            array.add(value);
        }
        return array;
    }

    private static JsonArray longs(long[] values) {
        JsonArray array = new JsonArray(values.length);
        for (long value : values) {
            array.add(value);
        }
        return array;
    }

    private static void read(JsonArray array, int[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] = array.get(i).getAsInt();
        }
    }

    private static void readLongs(JsonArray array, long[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] = array.get(i).getAsLong();
        }
    }
}
