package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.awp.internal.Checks;
import java.util.Locale;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Where an adversary may move an input: within distance {@link #epsilon() ε} of the clean input in
 * the {@link #norm() norm}, and inside the {@link #domain() input domain} — scalar bounds {@code
 * [lowerBound, upperBound]} ([0, 1] by default) or per-feature bounds.
 *
 * <pre>{@code
 * ThreatModel linf = ThreatModel.linf(8 / 255.0);
 * ThreatModel l2 = ThreatModel.builder().norm(Norm.L2).epsilon(128 / 255.0).build();
 * ThreatModel tabular =
 *         ThreatModel.linf(0.25, InputDomain.perFeature(lowerBounds, upperBounds));
 * }</pre>
 *
 * <p>ε is one number for every component, so it only means the same thing for every feature when
 * the features share a scale: pixels in [0, 1], or tabular features standardized (then ε is in
 * standard deviations) while per-feature bounds keep each feature inside its natural range.
 *
 * <p>The domain is set either through {@code lowerBound}/{@code upperBound} (scalar) or through
 * {@link #featureBounds()} (per-feature), not both; {@link #withDomain(InputDomain)} replaces it
 * whatever its kind.
 */
@Value.Immutable(copy = false)
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
     * The perturbation budget ε, one number for every component, in the units of the inputs.
     *
     * @return ε, finite and positive
     */
    public abstract double epsilon();

    /**
     * The per-feature bounds of the input domain, if it has them; empty for a scalar domain (a
     * scalar {@link InputDomain} given here is stored as {@code lowerBound}/{@code upperBound}).
     * Clip to {@link #domain()}, which covers both kinds.
     *
     * @return the per-feature bounds, or empty
     */
    public abstract Optional<InputDomain> featureBounds();

    /**
     * The smallest value an input component may take: the scalar lower bound, or with per-feature
     * bounds the smallest of them (then clip to {@link #domain()} instead).
     *
     * @return the lower bound; default 0, or the smallest per-feature lower bound
     */
    @Value.Default
    public double lowerBound() {
        return featureBounds().map(InputDomain::smallestLowerBound).orElse(0.0);
    }

    /**
     * The largest value an input component may take: the scalar upper bound, or with per-feature
     * bounds the largest of them (then clip to {@link #domain()} instead).
     *
     * @return the upper bound; default 1, or the largest per-feature upper bound
     */
    @Value.Default
    public double upperBound() {
        return featureBounds().map(InputDomain::largestUpperBound).orElse(1.0);
    }

    /**
     * The input domain: the per-feature bounds if set, else the scalar bounds {@code [lowerBound,
     * upperBound]}. What attacks clip to, batch checks hold the inputs to, and reports record.
     *
     * @return the input domain
     */
    public InputDomain domain() {
        return featureBounds().orElseGet(() -> InputDomain.of(lowerBound(), upperBound()));
    }

    /**
     * A copy with another norm.
     *
     * @param norm the norm
     * @return the copy
     * @throws NullPointerException if {@code norm} is null
     */
    public ThreatModel withNorm(Norm norm) {
        return ThreatModel.builder().from(this).norm(norm).build();
    }

    /**
     * A copy with another budget ε.
     *
     * @param epsilon the budget ε
     * @return the copy
     * @throws IllegalArgumentException if ε is not finite and positive
     */
    public ThreatModel withEpsilon(double epsilon) {
        return ThreatModel.builder().from(this).epsilon(epsilon).build();
    }

    /**
     * A copy with another scalar lower bound.
     *
     * @param lowerBound the smallest value an input component may take
     * @return the copy
     * @throws IllegalArgumentException if the bound is not finite or not below {@code upperBound}
     * @throws IllegalStateException if the domain has per-feature bounds: replace them with {@link
     *     #withDomain(InputDomain)}
     */
    public ThreatModel withLowerBound(double lowerBound) {
        requireScalar("lowerBound");
        return ThreatModel.builder().from(this).lowerBound(lowerBound).build();
    }

    /**
     * A copy with another scalar upper bound.
     *
     * @param upperBound the largest value an input component may take
     * @return the copy
     * @throws IllegalArgumentException if the bound is not finite or not above {@code lowerBound}
     * @throws IllegalStateException if the domain has per-feature bounds: replace them with {@link
     *     #withDomain(InputDomain)}
     */
    public ThreatModel withUpperBound(double upperBound) {
        requireScalar("upperBound");
        return ThreatModel.builder().from(this).upperBound(upperBound).build();
    }

    /**
     * A copy over another input domain, scalar or per-feature, replacing the current one.
     *
     * @param domain the input domain
     * @return the copy
     * @throws NullPointerException if {@code domain} is null
     */
    public ThreatModel withDomain(InputDomain domain) {
        requireNonNull(domain, "domain");
        return ThreatModel.builder().norm(norm()).epsilon(epsilon()).featureBounds(domain).build();
    }

    private void requireScalar(String attribute) {
        if (featureBounds().isPresent()) {
            throw new IllegalStateException(
                    String.format(
                            Locale.ROOT,
                            "%s applies to a scalar domain but this threat model has %d"
                                    + " per-feature bounds: use withDomain(InputDomain.of(lower,"
                                    + " upper)) or withDomain(InputDomain.perFeature(..))",
                            attribute,
                            featureBounds().get().featureCount()));
        }
    }

    /**
     * Validates, and stores a scalar {@link InputDomain} given as {@code featureBounds} as {@code
     * lowerBound}/{@code upperBound}, so that equal domains give equal threat models.
     */
    @Value.Check
    AbstractThreatModel check() {
        Checks.positive("epsilon", epsilon());
        Checks.finite("lowerBound", lowerBound());
        Checks.finite("upperBound", upperBound());
        checkArgument(
                lowerBound() < upperBound(),
                "lowerBound must be < upperBound but was %s >= %s",
                lowerBound(),
                upperBound());
        if (featureBounds().isEmpty()) {
            return this;
        }
        InputDomain features = featureBounds().get();
        checkArgument(
                lowerBound() == features.smallestLowerBound(),
                "lowerBound must not be set with featureBounds (their smallest lower bound is %s)"
                        + " but was %s; the per-feature bounds alone give the domain",
                features.smallestLowerBound(),
                lowerBound());
        checkArgument(
                upperBound() == features.largestUpperBound(),
                "upperBound must not be set with featureBounds (their largest upper bound is %s)"
                        + " but was %s; the per-feature bounds alone give the domain",
                features.largestUpperBound(),
                upperBound());
        if (features.isScalar()) {
            return ThreatModel.builder()
                    .norm(norm())
                    .epsilon(epsilon())
                    .lowerBound(lowerBound())
                    .upperBound(upperBound())
                    .build();
        }
        return this;
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
     * An L∞ threat model over an input domain.
     *
     * @param epsilon the budget ε, in the units of the inputs
     * @param domain the input domain, scalar or per-feature
     * @return the threat model
     * @throws NullPointerException if {@code domain} is null
     * @throws IllegalArgumentException if ε is not finite and positive
     */
    public static ThreatModel linf(double epsilon, InputDomain domain) {
        return linf(epsilon).withDomain(domain);
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

    /**
     * An L2 threat model over an input domain.
     *
     * @param epsilon the budget ε, in the units of the inputs
     * @param domain the input domain, scalar or per-feature
     * @return the threat model
     * @throws NullPointerException if {@code domain} is null
     * @throws IllegalArgumentException if ε is not finite and positive
     */
    public static ThreatModel l2(double epsilon, InputDomain domain) {
        return l2(epsilon).withDomain(domain);
    }
}
