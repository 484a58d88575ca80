package dev.awp.training;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * A value that must be finite was NaN or infinite: a training step found it before it could reach
 * the model's weights, and stopped.
 *
 * <p>{@link #quantity()} names what was non-finite, for example {@code "x"} (the clean inputs),
 * {@code "x_adv"} (the attack's output), {@code "y"} (the labels), {@code "loss"}, {@code "v of
 * 01Conv2d_weight"} (a weight perturbation) or {@code "gradient of 01Conv2d_weight"}. When a step
 * throws it, the weights are as they were before the step: nothing was updated and no perturbation
 * is left applied. A non-finite loss or gradient on inputs that are finite usually means the
 * training diverged (learning rate too high) or the weights were non-finite already.
 */
public class NonFiniteValueException extends ArithmeticException {

    private static final long serialVersionUID = 1L;

    /** What was non-finite. */
    private final String quantity;

    /**
     * Creates the exception.
     *
     * @param quantity what was non-finite, such as {@code "loss"} or {@code "gradient of
     *     01Conv2d_weight"}; not blank
     * @param message the full message, which should name the quantity and say what to check
     * @throws IllegalArgumentException if {@code quantity} is blank
     */
    public NonFiniteValueException(String quantity, String message) {
        super(requireNonNull(message, "message"));
        requireNonNull(quantity, "quantity");
        checkArgument(!quantity.isBlank(), "quantity must not be blank but was '%s'", quantity);
        this.quantity = quantity;
    }

    /**
     * What was non-finite.
     *
     * @return the quantity's name, such as {@code "x"}, {@code "x_adv"}, {@code "loss"}, {@code "v
     *     of 01Conv2d_weight"} or {@code "gradient of 01Conv2d_weight"}
     */
    public String quantity() {
        return quantity;
    }
}
