package dev.awp.objective;

import org.immutables.value.Value;

/**
 * PGD-AT (Madry et al., 2018): the mean cross-entropy on the adversarial inputs, {@code (1/B) Σ_i
 * CE(f(x'_i), y_i)}.
 */
@Value.Immutable(singleton = true, builder = false)
abstract class AbstractPgdAtObjective implements Objective {

    @Override
    public String name() {
        return "PGD-AT";
    }

    @Override
    public boolean usesCleanInputs() {
        return false;
    }
}
