package dev.awp.djl.training;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonObject;
import dev.awp.training.AdversarialTraining;
import java.nio.file.Path;

/**
 * Which run a checkpoint belongs to: the parts of the specification that must not change across a
 * resume, because the data order, the schedule or the optimizer state would not continue where they
 * stopped.
 *
 * @param seed the run's seed
 * @param epochs the number of epochs of the schedule
 * @param batchSize the batch size
 * @param optimizer the optimizer kind's name ({@code SGD}, {@code ADAM}, {@code ADAMW})
 */
record RunIdentity(long seed, int epochs, int batchSize, String optimizer) {

    /** The identity of a specification's run. */
    static RunIdentity of(AdversarialTraining spec) {
        return new RunIdentity(
                spec.seed(), spec.epochs(), spec.batchSize(), spec.optimizer().kind().name());
    }

    /**
     * Checks that the checkpoint {@code file}, of this identity, belongs to {@code spec}'s run.
     *
     * @throws IllegalArgumentException naming the member that differs
     */
    void checkMatches(AdversarialTraining spec, Path file) {
        checkArgument(
                seed == spec.seed(),
                "checkpoint seed must be the specification's (%s) but was %s: %s belongs to"
                        + " another run",
                spec.seed(),
                seed,
                file);
        checkArgument(
                epochs == spec.epochs(),
                "checkpoint epochs must be the specification's (%s) but was %s: the schedule"
                        + " would not continue where it stopped",
                spec.epochs(),
                epochs);
        checkArgument(
                batchSize == spec.batchSize(),
                "checkpoint batchSize must be the specification's (%s) but was %s",
                spec.batchSize(),
                batchSize);
        checkArgument(
                optimizer.equals(spec.optimizer().kind().name()),
                "checkpoint optimizer must be the specification's (%s) but was %s",
                spec.optimizer().kind(),
                optimizer);
    }

    /** Adds the members of {@code state.json} that hold the identity. */
    void toJson(JsonObject json) {
        json.addProperty("seed", seed);
        json.addProperty("epochs", epochs);
        json.addProperty("batchSize", batchSize);
        json.addProperty("optimizer", optimizer);
    }

    /** Reads the members {@link #toJson} writes. */
    static RunIdentity fromJson(JsonObject json) {
        return new RunIdentity(
                json.get("seed").getAsLong(),
                json.get("epochs").getAsInt(),
                json.get("batchSize").getAsInt(),
                json.get("optimizer").getAsString());
    }
}
