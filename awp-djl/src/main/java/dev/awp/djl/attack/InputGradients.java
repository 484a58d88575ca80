package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.internal.GradientSuspension;
import dev.awp.djl.internal.Guards;
import dev.awp.djl.internal.Logits;
import dev.awp.djl.internal.RetainedBackward;
import java.util.Arrays;
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

    /**
     * Every class's input gradient {@code ∂f_k/∂x} and the logits {@code f(x)}, on the host in
     * float32: {@code gradients[k·B·F + j·F + f]} for class {@code k}, example {@code j}, feature
     * {@code f}; {@code logits[j·C + k]}. On the PyTorch engine, from one forward pass and one
     * backward pass per class that keeps the graph, as the reference FAB does; on other engines,
     * from one pass over the batch repeated once per class (the same values, {@code C} times the
     * forward work). Each example's logits depend only on its own input, which holds in BatchNorm
     * inference mode (the mode FAB runs in).
     *
     * @param target the model
     * @param x the inputs {@code (B, …)}
     * @param mode the BatchNorm mode of the forward pass
     * @return the logits and the per-class gradients
     */
    static PerClass perClass(AttackTarget target, NDArray x, BatchNormMode mode, int classes) {
        NDManager owner = x.getManager();
        int batch = Math.toIntExact(x.getShape().get(0));
        int rowLength = Math.toIntExact(x.getShape().size());
        if (!RetainedBackward.isAvailable(owner.getEngine())) {
            return repeated(target, x, mode, classes, batch);
        }
        float[] gradients = new float[classes * rowLength];
        try (GradientSuspension off = GradientSuspension.suspend(target.trainableArrays());
                NDManager scope = owner.newSubManager()) {
            NDArray leaf = x.stopGradient();
            leaf.attach(scope);
            leaf.setRequiresGradient(true);
            try (GradientCollector collector = owner.getEngine().newGradientCollector()) {
                NDArray out = target.logits(leaf, mode);
                float[] logits = out.stopGradient().toType(DataType.FLOAT32, false).toFloatArray();
                NDArray mask = out.zerosLike();
                for (int k = 0; k < classes; k++) {
                    NDIndex column = new NDIndex(":, {}", k);
                    mask.set(column, 1);
                    RetainedBackward.run(out, mask, k < classes - 1);
                    mask.set(column, 0);
                    NDArray gradient = leaf.getGradient();
                    float[] values = gradient.toType(DataType.FLOAT32, false).toFloatArray();
                    System.arraycopy(values, 0, gradients, k * rowLength, rowLength);
                    Guards.zero(gradient);
                }
                return new PerClass(logits, gradients);
            }
        }
    }

    /** The engine-agnostic way: one pass over the batch repeated once per class. */
    private static PerClass repeated(
            AttackTarget target, NDArray x, BatchNormMode mode, int classes, int batch) {
        NDList copies = new NDList(classes);
        for (int k = 0; k < classes; k++) {
            copies.add(x);
        }
        NDArray input = NDArrays.concat(copies, 0);
        long[] classOfRow = new long[batch * classes];
        for (int k = 0; k < classes; k++) {
            Arrays.fill(classOfRow, k * batch, (k + 1) * batch, k);
        }
        NDArray rowClasses = x.getManager().create(classOfRow);
        float[][] logits = new float[1][];
        NDArray gradient =
                of(
                        target,
                        input,
                        mode,
                        out -> {
                            logits[0] =
                                    out.get(new NDIndex("0:{}", batch))
                                            .stopGradient()
                                            .toType(DataType.FLOAT32, false)
                                            .toFloatArray();
                            return Logits.pick(out, rowClasses).sum();
                        });
        return new PerClass(logits[0], gradient.toType(DataType.FLOAT32, false).toFloatArray());
    }

    /** The logits and per-class input gradients of {@link #perClass}. */
    record PerClass(float[] logits, float[] gradients) {}
}
