package dev.awp.event;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.training.AdversarialTraining;
import org.immutables.value.Value;

/** A checkpoint of the model (at the unperturbed weights) has been written. */
@Value.Immutable
abstract class AbstractCheckpointWritten {

    /**
     * The specification the run executes.
     *
     * @return the specification
     */
    public abstract AdversarialTraining training();

    /**
     * The 0-based epoch whose weights were saved.
     *
     * @return the epoch, in {@code [0, training().epochs())}
     */
    public abstract int epoch();

    /**
     * Why the checkpoint was written.
     *
     * @return the kind
     */
    public abstract CheckpointKind kind();

    /**
     * Where the checkpoint was written: a file or directory path as the engine binding names it.
     *
     * @return the path, not blank
     */
    public abstract String path();

    @Value.Check
    void check() {
        EventChecks.epochOf("epoch", epoch(), training());
        checkArgument(!path().isBlank(), "path must not be blank but was '%s'", path());
    }
}
