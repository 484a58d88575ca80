package dev.awp.event;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.training.AdversarialTraining;

/** Checks shared by the events. */
final class EventChecks {
    private EventChecks() {}

    static void epochOf(String attribute, int epoch, AdversarialTraining training) {
        checkArgument(
                epoch >= 0 && epoch < training.epochs(),
                "%s must be in [0, training.epochs) = [0, %s) but was %s",
                attribute,
                training.epochs(),
                epoch);
    }
}
