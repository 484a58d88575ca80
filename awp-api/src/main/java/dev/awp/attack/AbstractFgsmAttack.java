package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.awp.internal.Checks;
import java.util.Map;
import org.immutables.value.Value;

/**
 * The fast gradient sign method (Goodfellow et al., 2015): one step of size {@link #stepSize() α}
 * along the sign of the input gradient of the cross-entropy (for L2, along the normalized
 * gradient), optionally from a random start, then projected onto the ε-ball and the input bounds.
 */
@Value.Immutable
abstract class AbstractFgsmAttack implements Attack {

    @Override
    public abstract ThreatModel threatModel();

    /**
     * The step size α. Without a random start the classic FGSM uses α = ε.
     *
     * @return α, finite and positive
     */
    public abstract double stepSize();

    /**
     * Where the step starts.
     *
     * @return the start; default {@link RandomStart#NONE}
     */
    @Value.Default
    public RandomStart randomStart() {
        return RandomStart.NONE;
    }

    /**
     * How BatchNorm runs while the attack queries the model.
     *
     * @return the mode; default {@link BatchNormMode#EVAL}
     */
    @Value.Default
    public BatchNormMode batchNormMode() {
        return BatchNormMode.EVAL;
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code "FGSM"} unless set
     */
    @Override
    @Value.Default
    public String name() {
        return "FGSM";
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code FGSM}
     */
    @Override
    public final String kind() {
        return "FGSM";
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code stepSize} and {@code randomStart}
     */
    @Override
    public Map<String, Object> parameters() {
        return ImmutableMap.of("stepSize", stepSize(), "randomStart", randomStart());
    }

    @Value.Check
    void check() {
        Checks.positive("stepSize", stepSize());
        checkArgument(
                randomStart() != RandomStart.GAUSSIAN,
                "randomStart must be NONE or UNIFORM for FGSM but was %s",
                randomStart());
        checkArgument(!name().isBlank(), "name must not be blank but was '%s'", name());
    }
}
