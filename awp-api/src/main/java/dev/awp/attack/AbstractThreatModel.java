package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * Where an adversary may move an input: within distance {@link #epsilon() ε} of the clean input in
 * the {@link #norm() norm}, and inside the input bounds {@code [lowerBound, upperBound]}.
 *
 * <pre>{@code
 * ThreatModel linf = ThreatModel.linf(8 / 255.0);
 * ThreatModel l2 = ThreatModel.builder().norm(Norm.L2).epsilon(128 / 255.0).build();
 * }</pre>
 */
@Value.Immutable
abstract class AbstractThreatModel {

    /**
     * The norm of the perturbation.
     *
     * @return the norm; default {@link Norm#LINF}
     */
    @Value.Default
    public Norm norm() {
        return Norm.LINF;
    }

    /**
     * The perturbation budget ε.
     *
     * @return ε, finite and positive
     */
    public abstract double epsilon();

    /**
     * The smallest value an input component may take.
     *
     * @return the lower bound; default 0
     */
    @Value.Default
    public double lowerBound() {
        return 0.0;
    }

    /**
     * The largest value an input component may take.
     *
     * @return the upper bound; default 1
     */
    @Value.Default
    public double upperBound() {
        return 1.0;
    }

    @Value.Check
    void check() {
        Checks.positive("epsilon", epsilon());
        Checks.finite("lowerBound", lowerBound());
        Checks.finite("upperBound", upperBound());
        checkArgument(
                lowerBound() < upperBound(),
                "lowerBound must be < upperBound but was %s >= %s",
                lowerBound(),
                upperBound());
    }

    /**
     * An L∞ threat model over inputs in [0, 1].
     *
     * @param epsilon the budget ε, e.g. {@code 8 / 255.0}
     * @return the threat model
     * @throws IllegalArgumentException if ε is not finite and positive
     */
    public static ThreatModel linf(double epsilon) {
        return ThreatModel.builder().norm(Norm.LINF).epsilon(epsilon).build();
    }

    /**
     * An L2 threat model over inputs in [0, 1].
     *
     * @param epsilon the budget ε, e.g. {@code 128 / 255.0}
     * @return the threat model
     * @throws IllegalArgumentException if ε is not finite and positive
     */
    public static ThreatModel l2(double epsilon) {
        return ThreatModel.builder().norm(Norm.L2).epsilon(epsilon).build();
    }
}
