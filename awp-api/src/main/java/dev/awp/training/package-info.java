/**
 * The training specification: what {@code awp-djl} (or another engine binding) runs.
 *
 * <p>An {@link dev.awp.training.AdversarialTraining} gathers the objective, the training attack,
 * the weight perturbation, the number of epochs, the batch size, the {@link
 * dev.awp.training.OptimizerSpec optimizer}, the {@link dev.awp.training.LearningRateSchedule
 * learning-rate schedule}, the {@link dev.awp.training.EvaluationPlan evaluation plan} and the
 * {@link dev.awp.training.CheckpointPolicy checkpoint policy}, and checks them against each other.
 * {@link dev.awp.training.Recipes} holds the configurations published with AWP (AT-AWP, TRADES-AWP,
 * MART-AWP) and their baselines without AWP:
 *
 * <pre>{@code
 * AdversarialTraining quick = Recipes.atAwp().withEpochs(10).withBatchSize(64);
 * }</pre>
 *
 * <p>Epochs and iterations are 0-based throughout.
 */
@ValueStyle
package dev.awp.training;

import dev.awp.internal.ValueStyle;
