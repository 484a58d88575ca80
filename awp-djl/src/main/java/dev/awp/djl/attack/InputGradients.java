package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.internal.GradientSuspension;
import java.util.function.Function;

/**
 * Gradients of a loss with respect to the model's input, and nothing else.
 *
 * <p>While an input gradient is computed, the model's trainable weights stop requiring gradients,
 * so the backward pass computes the input gradient only: no weight gradient is computed (saving the
 * work) or accumulated (leaving the gradients of the training step untouched). The flags are
 * restored afterwards, also when the forward or the loss throws. This is the helper the built-in
 * PGD and FGSM use; custom attacks should use it too.
 *
 * <p>Memory: the detached copy of {@code x}, the forward pass and the loss live in a sub-manager of
 * {@code x}'s manager that is closed before returning. Arrays the {@code loss} function derives
 * from <em>other</em> arrays (for example from the labels) belong to those arrays' managers: call
 * this inside a scope ({@code NDManager.newSubManager()}) that owns them.
 *
 * <pre>{@code
 * NDArray grad = InputGradients.of(target, xAdv, BatchNormMode.EVAL,
 *         logits -> Losses.perExampleCrossEntropy(logits, y).sum());
 * }</pre>
 */
public final class InputGradients {

    private InputGradients() {}

    /**
     * Computes {@code ∇_x loss(f(x))}.
     *
     * @param target the model
     * @param x the point at which to differentiate; not modified
     * @param mode the BatchNorm mode of the forward pass
     * @param loss maps the logits to a scalar loss
     * @return the gradient, same shape as {@code x}, attached to {@code x}'s manager
     * @throws IllegalStateException if a {@code GradientCollector} is already open
     */
    public static NDArray of(
            AttackTarget target, NDArray x, BatchNormMode mode, Function<NDArray, NDArray> loss) {
        requireNonNull(target, "target");
        requireNonNull(x, "x");
        requireNonNull(mode, "mode");
        requireNonNull(loss, "loss");
        NDManager owner = x.getManager();
        try (GradientSuspension off = target.inputGradientScope();
                NDManager scope = owner.newSubManager()) {
            NDArray leaf = x.stopGradient();
            leaf.attach(scope);
            leaf.setRequiresGradient(true);
            try (GradientCollector collector = owner.getEngine().newGradientCollector()) {
                NDArray value = loss.apply(target.logits(leaf, mode));
                collector.backward(value);
            }
            NDArray gradient = leaf.getGradient();
            gradient.attach(owner);
            return gradient;
        }
    }
}
