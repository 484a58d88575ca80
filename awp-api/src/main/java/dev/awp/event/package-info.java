/**
 * Events of a training run, delivered to a {@link dev.awp.event.TrainingEventListener}: for
 * logging, progress bars, experiment trackers or early stopping. Each event is an immutable value
 * that carries what a listener needs without holding on to the engine.
 */
@ValueStyle
package dev.awp.event;

import dev.awp.internal.ValueStyle;
