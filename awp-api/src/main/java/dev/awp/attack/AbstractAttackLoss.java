package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * The loss an attack ascends. Built with {@link #crossEntropy()}, {@link #cwMargin(double)} or
 * {@link #klToClean()}.
 */
@Value.Immutable
abstract class AbstractAttackLoss {

    /** The kinds of attack loss. */
    public enum Kind {
        /** Mean cross-entropy of the adversarial logits against the labels. */
        CROSS_ENTROPY,
        /**
         * The Carlini–Wagner margin loss as an attack ascends it: {@code min(max_{j≠y} z_j − z_y,
         * κ)} per example (minus CW's f6; the TRADES/MART evaluation code's {@code cwloss} plus κ),
         * summed over the batch. Correctly classified examples always get a gradient; the attack
         * stops pushing an example once it is misclassified by a margin of κ.
         */
        CW_MARGIN,
        /**
         * The TRADES attack loss: {@code Σ_i KL(p_i ‖ q_i)}, clean distribution {@code p} (fixed)
         * against the adversarial one {@code q}.
         */
        KL_TO_CLEAN
    }

    /**
     * The kind of loss.
     *
     * @return the kind
     */
    @Value.Parameter
    public abstract Kind kind();

    /**
     * The confidence κ of the margin loss; 0 for the other kinds.
     *
     * @return κ, finite and non-negative
     */
    @Value.Default
    public double kappa() {
        return 0.0;
    }

    @Value.Check
    void check() {
        Checks.nonNegative("kappa", kappa());
        checkArgument(
                kind() == Kind.CW_MARGIN || kappa() == 0.0,
                "kappa must be 0 for a %s loss but was %s",
                kind(),
                kappa());
    }

    /**
     * Mean cross-entropy.
     *
     * @return the loss
     */
    public static AttackLoss crossEntropy() {
        return AttackLoss.of(Kind.CROSS_ENTROPY);
    }

    /**
     * The Carlini–Wagner margin loss with confidence κ.
     *
     * @param kappa κ, finite and non-negative
     * @return the loss
     * @throws IllegalArgumentException if κ is negative or not finite
     */
    public static AttackLoss cwMargin(double kappa) {
        return AttackLoss.builder().kind(Kind.CW_MARGIN).kappa(kappa).build();
    }

    /**
     * The TRADES KL loss to the clean prediction.
     *
     * @return the loss
     */
    public static AttackLoss klToClean() {
        return AttackLoss.of(Kind.KL_TO_CLEAN);
    }
}
