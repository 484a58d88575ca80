package dev.awp.objective;

import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * TRADES (Zhang et al., 2019): {@code CE(f(x), y) + β·(1/B) Σ_i KL(p_i ‖ q_i)} with {@code p =
 * softmax(f(x))} the target, {@code q = softmax(f(x'))}, {@code KL(p‖q) = Σ_c p_c (log p_c − log
 * q_c)}; gradients flow through both branches.
 */
@Value.Immutable
abstract class AbstractTradesObjective implements Objective {

    /**
     * The weight β of the robustness term.
     *
     * @return β, finite and non-negative; default 6
     */
    @Value.Default
    public double beta() {
        return 6.0;
    }

    @Override
    public String name() {
        return "TRADES(beta=" + beta() + ")";
    }

    @Override
    public boolean usesCleanInputs() {
        return true;
    }

    @Value.Check
    void check() {
        Checks.nonNegative("beta", beta());
    }
}
