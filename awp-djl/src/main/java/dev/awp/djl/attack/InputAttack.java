package dev.awp.djl.attack;

import ai.djl.ndarray.NDArray;
import dev.awp.attack.Attack;

/**
 * An attack that runs on DJL: given clean inputs and labels, returns adversarial inputs.
 *
 * <p>Implement this interface to plug a custom attack into the training step, the trainer and the
 * evaluator; it is an {@link Attack}, so it is accepted wherever an attack specification is.
 * Implementations should compute gradients through {@link InputGradients}, which guarantees that no
 * weight gradient is computed, and must keep their outputs within {@link #threatModel()}.
 *
 * <p>Call attacks outside any open {@code GradientCollector}: DJL allows only one at a time.
 */
public interface InputAttack extends Attack {

    /**
     * Crafts adversarial examples.
     *
     * @param target the model under attack
     * @param x the clean inputs, shape {@code (B, ...)}, inside the threat model's bounds; not
     *     modified
     * @param y the labels, shape {@code (B)}, class indices
     * @return the adversarial inputs, same shape and type as {@code x}, attached to {@code x}'s
     *     manager (the caller owns them)
     */
    NDArray generate(AttackTarget target, NDArray x, NDArray y);

    /**
     * Crafts adversarial examples with the random draws {@code keys} gives: per example when {@code
     * keys} is {@link ExampleKeys#of keyed}, so that an example meets the same draws in any batch.
     * {@link dev.awp.djl.evaluation.RobustnessEvaluator} calls this. The default ignores {@code
     * keys} and calls {@link #generate(AttackTarget, NDArray, NDArray)} (which draws from the
     * engine's generator, seeded by the evaluator per batch and attack); attacks written on {@link
     * AbstractInputAttack} use the keys.
     *
     * @param target the model under attack
     * @param x the clean inputs, shape {@code (B, ...)}, inside the threat model's bounds; not
     *     modified
     * @param y the labels, shape {@code (B)}, class indices
     * @param keys where the random draws come from, one identifier per example
     * @return the adversarial inputs, same shape and type as {@code x}, attached to {@code x}'s
     *     manager (the caller owns them)
     */
    default NDArray generate(AttackTarget target, NDArray x, NDArray y, ExampleKeys keys) {
        return generate(target, x, y);
    }
}
