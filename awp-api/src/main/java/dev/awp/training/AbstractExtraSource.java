package dev.awp.training;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import java.util.Locale;
import org.immutables.value.Value;

/**
 * One extra source of training examples (pseudo-labelled or generated images) mixed into every
 * training batch at a fixed fraction, with a weight for its examples' losses. The engine binding
 * takes the source's data by its {@link #name()} (in awp-djl, {@code
 * AdversarialTrainer.Builder.optExtraData(name, data)}); {@link AdversarialTraining#extraSources()}
 * lists the sources of a run.
 *
 * <pre>{@code
 * ExtraSource pseudo = ExtraSource.of("pseudo-labelled", 0.3);         // loss weight 1
 * ExtraSource generated = ExtraSource.of("generated", 0.4, 0.5);       // its losses count half
 * }</pre>
 *
 * <p><b>Batch counts.</b> A full batch of {@code B} holds {@code k_j} examples of source {@code j}
 * and {@code k_0} labelled ones, by the largest remainder of the quotas {@code f_j·B} (and {@code
 * (1 − Σ f_j)·B} for the labelled data): every count is its quota rounded down, and the examples
 * still missing go one each to the largest fractional parts, ties to the extra sources in their
 * order before the labelled data. The counts are the same for every full batch; an epoch is one
 * pass over the labelled data, and its last, smaller batch of {@code n} labelled examples holds
 * {@code round(n·k_j/k_0)} (half up) of source {@code j}. With one source this is {@code k_1 =
 * round(f·B)}.
 *
 * <p><b>Loss weights.</b> The objective of a step is the weighted mean of the per-example losses,
 * {@code Σ_i w_i·ℓ_i / Σ_i w_i}, with {@code w_i} the weight of example {@code i}'s source ({@link
 * AdversarialTraining#labelledLossWeight()} for the labelled data); see {@code TrainingObjective}
 * in awp-djl. With every weight 1 the step's loss is the plain batch mean, computed exactly as
 * without weights.
 */
@Value.Immutable
abstract class AbstractExtraSource {

    /**
     * The source's name, by which the engine binding takes its data.
     *
     * @return the name, not blank
     */
    public abstract String name();

    /**
     * The fraction {@code f} of every training batch drawn from this source.
     *
     * @return the fraction, in {@code (0, 1)}
     */
    public abstract double fraction();

    /**
     * The weight of this source's examples in the step's weighted-mean loss.
     *
     * @return the weight, finite and &gt; 0; default 1
     */
    @Value.Default
    public double lossWeight() {
        return 1;
    }

    /**
     * A one-line description for logs and reports.
     *
     * @return e.g. {@code "0.3 of each batch from pseudo-labelled"}, with {@code ", loss weight
     *     0.5"} when the weight is not 1
     */
    public final String describe() {
        String share = String.format(Locale.ROOT, "%s of each batch from %s", fraction(), name());
        return lossWeight() == 1
                ? share
                : share + String.format(Locale.ROOT, ", loss weight %s", lossWeight());
    }

    @Value.Check
    void check() {
        checkArgument(!name().isBlank(), "name must not be blank but was '%s'", name());
        Checks.aboveZeroBelowOne("fraction", fraction());
        Checks.positive("lossWeight", lossWeight());
    }

    /**
     * A source with loss weight 1.
     *
     * @param name the name, not blank
     * @param fraction the fraction of every batch, in {@code (0, 1)}
     * @return the source
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static ExtraSource of(String name, double fraction) {
        return ExtraSource.builder().name(name).fraction(fraction).build();
    }

    /**
     * A source with a loss weight.
     *
     * @param name the name, not blank
     * @param fraction the fraction of every batch, in {@code (0, 1)}
     * @param lossWeight the weight of its examples' losses, finite and &gt; 0
     * @return the source
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static ExtraSource of(String name, double fraction, double lossWeight) {
        return ExtraSource.builder().name(name).fraction(fraction).lossWeight(lossWeight).build();
    }
}
