package dev.awp.djl.internal;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Switches {@code requires_grad} off on a set of arrays for a scope and restores exactly the ones
 * that had it, also when the scope throws. Nesting is safe: an inner suspension finds nothing to
 * switch off. Attacks use it so that backward passes compute input gradients only; AWP uses it so
 * that its extra pass computes gradients only for the perturbed tensors.
 *
 * <p>Internal to awp; not part of the API.
 */
public final class GradientSuspension implements AutoCloseable {

    private final List<NDArray> suspended;
    private final boolean requiresAfter;

    private GradientSuspension(List<NDArray> suspended) {
        this(suspended, true);
    }

    private GradientSuspension(List<NDArray> suspended, boolean requiresAfter) {
        this.suspended = suspended;
        this.requiresAfter = requiresAfter;
    }

    /**
     * The opposite for a scope inside a suspension: makes the arrays that do not require gradients
     * require them until {@link #close()}, which switches exactly those off again.
     *
     * @param arrays the arrays, typically trainable weights suspended by an enclosing scope
     * @return the scope to close
     */
    public static GradientSuspension resume(List<NDArray> arrays) {
        List<NDArray> resumed = new ArrayList<>(arrays.size());
        try {
            for (NDArray array : arrays) {
                if (!array.hasGradient()) {
                    array.setRequiresGradient(true);
                    resumed.add(array);
                }
            }
        } catch (RuntimeException e) {
            new GradientSuspension(resumed, false).close();
            throw e;
        }
        return new GradientSuspension(resumed, false);
    }

    /**
     * Stops the arrays from requiring gradients until {@link #close()}.
     *
     * @param arrays the arrays, typically trainable weights
     * @return the suspension to close
     */
    public static GradientSuspension suspend(List<NDArray> arrays) {
        List<NDArray> suspended = new ArrayList<>(arrays.size());
        try {
            for (NDArray array : arrays) {
                if (array.hasGradient()) {
                    array.setRequiresGradient(false);
                    suspended.add(array);
                }
            }
        } catch (RuntimeException e) {
            new GradientSuspension(suspended).close();
            throw e;
        }
        return new GradientSuspension(suspended);
    }

    /** Makes the suspended arrays require gradients again (or, after {@link #resume}, not). */
    @Override
    public void close() {
        for (NDArray array : suspended) {
            array.setRequiresGradient(requiresAfter);
        }
    }
}
