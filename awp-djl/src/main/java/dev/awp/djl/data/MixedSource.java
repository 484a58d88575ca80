package dev.awp.djl.data;

import static java.util.Objects.requireNonNull;

import dev.awp.internal.Checks;

/**
 * One extra source of {@link ClassificationData#mixed(ClassificationData, double, java.util.List)
 * mixed} data: its examples, the fraction of every training batch they fill and the weight of their
 * losses.
 *
 * @param data the examples, with the labelled data's input shape and classes
 * @param fraction the fraction of every batch, in {@code (0, 1)}
 * @param lossWeight the weight of its examples' losses, finite and &gt; 0 (1 for the plain mean)
 */
public record MixedSource(ClassificationData data, double fraction, double lossWeight) {

    /**
     * Checks the arguments.
     *
     * @param data the examples
     * @param fraction the fraction of every batch
     * @param lossWeight the weight of its examples' losses
     * @throws NullPointerException if {@code data} is null
     * @throws IllegalArgumentException if {@code fraction} is not in {@code (0, 1)} or {@code
     *     lossWeight} is not finite and positive
     */
    public MixedSource {
        requireNonNull(data, "data");
        Checks.aboveZeroBelowOne("fraction", fraction);
        Checks.positive("lossWeight", lossWeight);
    }

    /**
     * A source whose losses have weight 1.
     *
     * @param data the examples
     * @param fraction the fraction of every batch, in {@code (0, 1)}
     * @return the source
     */
    public static MixedSource of(ClassificationData data, double fraction) {
        return new MixedSource(data, fraction, 1);
    }
}
