/**
 * Adversarial training objectives: PGD-AT, TRADES, MART, and custom ones.
 *
 * <p>AWP uses the same objective for the weight-perturbation gradient and for the update. Engine
 * bindings execute the built-in specifications; a custom objective implements the binding's
 * objective interface (in {@code awp-djl}: {@code dev.awp.djl.objective.TrainingObjective}), which
 * extends {@link dev.awp.objective.Objective}.
 */
@ValueStyle
package dev.awp.objective;

import dev.awp.internal.ValueStyle;
