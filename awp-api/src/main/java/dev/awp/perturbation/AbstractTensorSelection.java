package dev.awp.perturbation;

import dev.awp.internal.Checks;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.immutables.value.Value;

/**
 * Which parameter tensors AWP perturbs. The default, {@link #layerWeights()}, is the paper's:
 * convolution kernels and linear weight matrices (tensors of rank ≥ 2 that are layer weights, the
 * classifier included); never biases, BatchNorm parameters or running statistics.
 *
 * <p>Optional regular expressions narrow the set by parameter name (matched with {@code find}). An
 * empty selection is always an error when it is applied to a model.
 */
@Value.Immutable
abstract class AbstractTensorSelection {

    /**
     * The smallest rank of a perturbed weight.
     *
     * @return the rank, at least 1; default 2
     */
    @Value.Default
    public int minRank() {
        return 2;
    }

    /**
     * If present, only weights whose name matches this regular expression are perturbed.
     *
     * @return the pattern
     */
    public abstract Optional<String> include();

    /**
     * If present, weights whose name matches this regular expression are not perturbed.
     *
     * @return the pattern
     */
    public abstract Optional<String> exclude();

    @Value.Check
    void check() {
        Checks.atLeast("minRank", minRank(), 1);
        include().ifPresent(p -> compile("include", p));
        exclude().ifPresent(p -> compile("exclude", p));
    }

    /**
     * Whether a weight tensor with this name and rank is selected.
     *
     * @param name the parameter's name
     * @param rank the tensor's rank
     * @return true if AWP perturbs it
     */
    public final boolean selects(String name, int rank) {
        return rank >= minRank()
                && include().map(p -> Pattern.compile(p).matcher(name).find()).orElse(true)
                && !exclude().map(p -> Pattern.compile(p).matcher(name).find()).orElse(false);
    }

    private static void compile(String attribute, String pattern) {
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    attribute
                            + " must be a valid regular expression but was '"
                            + pattern
                            + "': "
                            + e.getDescription(),
                    e);
        }
    }

    /**
     * The paper's selection: every layer weight of rank ≥ 2.
     *
     * @return the selection
     */
    public static TensorSelection layerWeights() {
        return TensorSelection.builder().build();
    }
}
