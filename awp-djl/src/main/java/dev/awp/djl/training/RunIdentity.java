package dev.awp.djl.training;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonObject;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.ExtraSource;
import dev.awp.training.WeightAveraging;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which run a checkpoint belongs to: the parts of the specification that must not change across a
 * resume, because the data order, the schedule or the optimizer state would not continue where they
 * stopped.
 *
 * @param seed the run's seed
 * @param epochs the number of epochs of the schedule
 * @param batchSize the batch size
 * @param optimizer the optimizer kind's name ({@code SGD}, {@code ADAM}, {@code ADAMW})
 * @param averaging the weight averaging's description ({@code none} in checkpoints written before
 *     averaging existed)
 * @param mixing the extra data mixed into every batch and the loss weights ({@link #NO_MIXING} for
 *     a run on the labelled data alone and in checkpoints written before extra sources existed)
 */
record RunIdentity(
        long seed, int epochs, int batchSize, String optimizer, String averaging, String mixing) {

    /** The {@link #mixing} of a run on the labelled data alone. */
    static final String NO_MIXING = "none";

    /** The identity of a run without weight averaging or extra data. */
    RunIdentity(long seed, int epochs, int batchSize, String optimizer) {
        this(seed, epochs, batchSize, optimizer, WeightAveraging.none().describe(), NO_MIXING);
    }

    /** The identity of a specification's run. */
    static RunIdentity of(AdversarialTraining spec) {
        return new RunIdentity(
                spec.seed(),
                spec.epochs(),
                spec.batchSize(),
                spec.optimizer().kind().name(),
                spec.weightAveraging().describe(),
                mixingOf(spec));
    }

    /**
     * The extra data of {@code spec}'s batches: their fractions decide which examples every batch
     * holds and the loss weights what a step minimizes, so a run resumed with others would not
     * continue the run that stopped.
     */
    static String mixingOf(AdversarialTraining spec) {
        if (spec.extraDataFraction() > 0) {
            return String.format(
                    Locale.ROOT, "%s of each batch from the extra data", spec.extraDataFraction());
        }
        if (spec.extraSources().isEmpty()) {
            return NO_MIXING;
        }
        String sources =
                spec.extraSources().stream()
                        .map(ExtraSource::describe)
                        .collect(Collectors.joining("; "));
        return spec.labelledLossWeight() == 1
                ? sources
                : String.format(
                        Locale.ROOT,
                        "%s; labelled loss weight %s",
                        sources,
                        spec.labelledLossWeight());
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
        checkArgument(
                averaging.equals(spec.weightAveraging().describe()),
                "checkpoint weightAveraging must be the specification's (%s) but was %s: the"
                        + " average would not continue where it stopped",
                spec.weightAveraging().describe(),
                averaging);
        String expected = mixingOf(spec);
        checkArgument(
                mixing.equals(expected),
                "checkpoint extra data must be the specification's (%s) but was %s: the batches"
                        + " would not continue where they stopped",
                expected,
                mixing);
    }

    /** Adds the members of {@code state.json} that hold the identity. */
    void toJson(JsonObject json) {
        json.addProperty("seed", seed);
        json.addProperty("epochs", epochs);
        json.addProperty("batchSize", batchSize);
        json.addProperty("optimizer", optimizer);
        if (!averaging.equals(WeightAveraging.none().describe())) {
            // absent means none, so that the state of a run without averaging keeps its bytes
            json.addProperty("weightAveraging", averaging);
        }
        if (!mixing.equals(NO_MIXING)) {
            // absent means none, as for the averaging
            json.addProperty("extraData", mixing);
        }
    }

    /** Reads the members {@link #toJson} writes. */
    static RunIdentity fromJson(JsonObject json) {
        return new RunIdentity(
                json.get("seed").getAsLong(),
                json.get("epochs").getAsInt(),
                json.get("batchSize").getAsInt(),
                json.get("optimizer").getAsString(),
                json.has("weightAveraging")
                        ? json.get("weightAveraging").getAsString()
                        : WeightAveraging.none().describe(),
                json.has("extraData") ? json.get("extraData").getAsString() : NO_MIXING);
    }
}
