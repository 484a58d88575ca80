package dev.awp.djl.evaluation;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.awp.djl.internal.AtomicFiles;
import dev.awp.report.Accuracy;
import dev.awp.report.AttackAccounting;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * spent. Attacks draw per example (and the engine is re-seeded per batch and attack), so continuing
 * from a stage boundary gives the counts an uninterrupted run gives.
 */
final class EvaluationState {

    /** The schema identifier written in every state file. */
    static final String SCHEMA = "awp.evaluation-state/1";

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /** What must match for a state to be continued. */
    final JsonObject key;

    /** The batch in progress (or the next one, with no stage done). */
    private int batch;

    /**
     * The stages done in {@link #batch}, in their order: 0 none, 1 the clean pass, {@code k + 2}
     * the clean pass and attacks 0 to k. Written as {@code stagesDone}.
     */
    private int stagesDone;

    /** The examples seen so far, and of them those classified correctly at the clean input. */
    private int total;

    private int clean;

    /** Per attack: the examples it ran on, those it did not break, and those robust after it. */
    final int[] attacked;

    final int[] survived;
    final int[] cumulative;

    /** Per attack: the time it ran and the single-example forward passes it made. */
    final long[] nanos;

    final long[] queries;

    /**
     * Per example seen: {@link RobustnessReport#ROBUST}, the clean error code or an attack index.
     */
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

    /** The batch in progress, from 0. */
    int batch() {
        return batch;
    }

    /** Whether the batch in progress still needs its clean pass. */
    boolean cleanPending() {
        return stagesDone == 0;
    }

    /** The attack that runs next on the batch in progress (the clean pass being done). */
    int nextAttack() {
        return stagesDone - 1;
    }

    /** The stages done over all batches: the position of a progress bar, in stages. */
    long stagesCompleted() {
        return (long) batch * (1 + attacked.length) + stagesDone;
    }

    /** Where the evaluation stands, for a log line. */
    String position(int batches) {
        return "batch " + (batch + 1) + " of " + batches + ", stage " + stagesDone;
    }

    int total() {
        return total;
    }

    int clean() {
        return clean;
    }

    /**
     * Records the clean pass of the batch in progress: one code per example, robust for now or a
     * clean error.
     */
    void recordClean(boolean[] correct) {
        for (boolean c : correct) {
            codes.add(c ? RobustnessReport.ROBUST : RobustnessReport.CLEAN_ERROR);
            clean += c ? 1 : 0;
        }
        total += correct.length;
        completeStage();
    }

    /**
     * The examples of the batch in progress an attack runs on: those still robust ({@link
     * AttackAccounting#CASCADE}) or those correct at the clean input ({@link
     * AttackAccounting#INDEPENDENT}).
     */
    boolean[] eligible(int size, AttackAccounting accounting) {
        int offset = codes.size() - size;
        boolean[] eligible = new boolean[size];
        for (int i = 0; i < size; i++) {
            int code = codes.get(offset + i);
            eligible[i] =
                    accounting == AttackAccounting.CASCADE
                            ? code == RobustnessReport.ROBUST
                            : code != RobustnessReport.CLEAN_ERROR;
        }
        return eligible;
    }

    /**
     * Records attack {@code k} on the batch in progress: it ran on the rows {@code index} of the
     * batch (of {@code size} examples) and {@code survived[j]} says whether row {@code index[j]}
     * survived; an example it breaks first gets its code {@code k}.
     */
    void recordAttack(int k, int size, long[] index, boolean[] survived, long queries, long nanos) {
        int offset = codes.size() - size;
        attacked[k] += index.length;
        this.queries[k] += queries;
        for (int j = 0; j < index.length; j++) {
            int at = offset + (int) index[j];
            if (survived[j]) {
                this.survived[k]++;
            } else if (codes.get(at) == RobustnessReport.ROBUST) {
                codes.set(at, k);
            }
        }
        for (int i = 0; i < size; i++) {
            cumulative[k] += codes.get(offset + i) == RobustnessReport.ROBUST ? 1 : 0;
        }
        this.nanos[k] += nanos;
        completeStage();
    }

    /**
     * Records a part as if its examples were one batch: its clean pass, then each attack with the
     * part's verdicts, queries and time. The counts and codes are those of recording its batches
     * one by one, since every count is a sum over examples.
     */
    void recordPart(EvaluationPart part) {
        int size = part.size();
        boolean[] correct = new boolean[size];
        for (int i = 0; i < size; i++) {
            correct[i] = part.cleanPrediction(i) == part.label(i);
        }
        recordClean(correct);
        for (int k = 0; k < attacked.length; k++) {
            int count = 0;
            for (int i = 0; i < size; i++) {
                count += part.verdict(k, i) == EvaluationPart.NOT_ATTACKED ? 0 : 1;
            }
            long[] rows = new long[count];
            boolean[] survivedRows = new boolean[count];
            int next = 0;
            for (int i = 0; i < size; i++) {
                if (part.verdict(k, i) != EvaluationPart.NOT_ATTACKED) {
                    survivedRows[next] = part.verdict(k, i) == EvaluationPart.SURVIVED;
                    rows[next++] = i;
                }
            }
            recordAttack(k, size, rows, survivedRows, part.queries(k), part.nanos(k));
        }
        elapsedNanos += part.elapsedNanos();
    }

    /** One stage more; after the last attack, the next batch. */
    private void completeStage() {
        stagesDone++;
        if (stagesDone == 1 + attacked.length) {
            batch++;
            stagesDone = 0;
        }
    }

    /** Attack {@code k}'s line of the report, without its name and settings. */
    AttackResult.Builder result(int k, AttackAccounting accounting) {
        AttackResult.Builder result =
                AttackResult.builder()
                        .attacked(attacked[k])
                        .survived(survived[k])
                        .cumulativeAccuracy(Accuracy.of(cumulative[k], total))
                        .queries(queries[k])
                        .elapsedSeconds(nanos[k] / 1e9);
        if (accounting == AttackAccounting.INDEPENDENT) {
            result.ownAccuracy(Accuracy.of(survived[k], total));
        }
        return result;
    }

    /** Where a state is kept between sessions: a file, or nowhere ({@link #NONE}). */
    interface Store {
        /** Keeps nothing: every evaluation starts afresh. */
        Store NONE =
                new Store() {
                    @Override
                    public EvaluationState read(JsonObject key, int attacks) {
                        return new EvaluationState(key, attacks);
                    }

                    @Override
                    public void write(EvaluationState state) {}

                    @Override
                    public String toString() {
                        return "no state file";
                    }
                };

        /** The stored state of this evaluation, or a fresh one. */
        EvaluationState read(JsonObject key, int attacks);

        /** Keeps the state. */
        void write(EvaluationState state);

        /** The state file {@code path}. */
        static Store at(Path path) {
            return new Store() {
                @Override
                public EvaluationState read(JsonObject key, int attacks) {
                    try {
                        AtomicFiles.removeOrphansOf(path.toAbsolutePath());
                    } catch (IOException e) {
                        throw new UncheckedIOException(
                                "cannot remove the temporary files of " + path, e);
                    }
                    EvaluationState state = EvaluationState.read(path, key, attacks);
                    return state == null ? new EvaluationState(key, attacks) : state;
                }

                @Override
                public void write(EvaluationState state) {
                    state.write(path);
                }

                @Override
                public String toString() {
                    return path.toString();
                }
            };
        }
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
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            AtomicFiles.writeString(absolute, GSON.toJson(root));
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
