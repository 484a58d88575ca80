package dev.awp.event;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.training.AdversarialTraining;
import org.immutables.value.Value;

/**
 * Something in a training run needs the user's attention: divergence, a collapse of robust
 * accuracy, catastrophic overfitting, or a rollback to the last good state. The same text is logged
 * at WARN level.
 */
@Value.Immutable
abstract class AbstractTrainingWarning {

    /**
     * The specification the run executes.
     *
     * @return the specification
     */
    public abstract AdversarialTraining training();

    /**
     * The 0-based epoch in which it happened.
     *
     * @return the epoch, in {@code [0, training().epochs())}
     */
    public abstract int epoch();

    /**
     * What happened.
     *
     * @return the kind
     */
    public abstract WarningKind kind();

    /**
     * A sentence for a person: what was seen and what the run does about it.
     *
     * @return the message, not blank
     */
    public abstract String message();

    @Value.Check
    void check() {
        EventChecks.epochOf("epoch", epoch(), training());
        checkArgument(!message().isBlank(), "message must not be blank but was '%s'", message());
    }
}
