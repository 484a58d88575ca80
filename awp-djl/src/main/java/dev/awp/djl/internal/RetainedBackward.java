package dev.awp.djl.internal;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A backward pass that may keep the graph for another one, which DJL's {@code GradientCollector}
 * does not offer: on the PyTorch engine, {@code target.backward(gradient, retain_graph=keep)}. One
 * forward pass then serves several backward passes, as in the reference implementation of FAB
 * ({@code get_diff_logits_grads_batch}: one forward, one backward per class).
 *
 * <p>The PyTorch engine is an optional dependency: this class touches its types only in {@link
 * #run}, which is called only when {@link #isAvailable} said yes.
 */
public final class RetainedBackward {

    private static final boolean PYTORCH = isPyTorch();

    private RetainedBackward() {}

    /**
     * Whether {@link #run} works with the arrays of this engine.
     *
     * @param engine the arrays' engine
     * @return true on the PyTorch engine
     */
    public static boolean isAvailable(Engine engine) {
        return PYTORCH && "PyTorch".equals(engine.getEngineName());
    }

    /**
     * Back-propagates {@code gradient} (the vector of a vector-Jacobian product) from {@code
     * target}; gradients accumulate into the leaves' {@code getGradient()} as with {@code
     * GradientCollector.backward}. Call inside an open {@code GradientCollector}.
     *
     * @param target the output of the forward pass
     * @param gradient an array of {@code target}'s shape
     * @param keepGraph whether the graph is kept for another backward pass
     * @throws IllegalStateException if {@link #isAvailable} is false for these arrays
     */
    public static void run(NDArray target, NDArray gradient, boolean keepGraph) {
        if (!(isAvailable(target.getManager().getEngine()) && target instanceof PtNDArray)) {
            throw new IllegalStateException(
                    "a backward pass that keeps its graph needs the PyTorch engine but the array"
                            + " was of "
                            + target.getManager().getEngine().getEngineName());
        }
        JniUtils.backward((PtNDArray) target, (PtNDArray) gradient, keepGraph, false);
    }

    private static boolean isPyTorch() {
        try {
            Class.forName(
                    "ai.djl.pytorch.jni.JniUtils", false, RetainedBackward.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
