package dev.awp.event;

import dev.awp.training.AdversarialTraining;
import java.util.Map;
import org.immutables.value.Value;

/** A training run is about to start its first epoch. */
@Value.Immutable
abstract class AbstractTrainingStarted {

    /**
     * The specification the run executes.
     *
     * @return the specification
     */
    public abstract AdversarialTraining training();

    /**
     * The 0-based epoch the run starts at: 0, or later when it resumes from a checkpoint.
     *
     * @return the epoch, in {@code [0, training().epochs())}; default 0
     */
    @Value.Default
    public int firstEpoch() {
        return 0;
    }

    /**
     * Facts about where the run executes (library and engine versions, device), as in {@link
     * dev.awp.report.TrainingReport#environment()}.
     *
     * @return the entries, possibly empty
     */
    public abstract Map<String, String> environment();

    /**
     * The training augmentation the run applies to its batches, as a short description: {@code
     * "none"} (the default of the trainer, for every dataset) or e.g. {@code "reflect-pad 4, random
     * crop, horizontal flip"}.
     *
     * @return the description; default {@code "none"}
     */
    @Value.Default
    public String augmentation() {
        return "none";
    }

    @Value.Check
    void check() {
        EventChecks.epochOf("firstEpoch", firstEpoch(), training());
    }
}
