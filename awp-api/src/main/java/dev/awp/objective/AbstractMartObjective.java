package dev.awp.objective;

import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * MART (Wang et al., 2020): boosted cross-entropy plus β times a KL term weighted by the clean
 * misclassification probability. With {@code p = softmax(f(x))}, {@code q = softmax(f(x'))} and
 * {@code ŷ_i} the most probable wrong class under {@code q_i}:
 *
 * <pre>
 * BCE = CE(f(x'), y) + mean_i[ −log(1.0001 − q_i[ŷ_i] + 1e-12) ]
 * wKL = (1/B) Σ_i [ Σ_c p_ic (log p_ic − log(q_ic + 1e-12)) ] · (1.0000001 − p_i[y_i])
 * L   = BCE + β·wKL
 * </pre>
 *
 * The constants are the published method's.
 */
@Value.Immutable
abstract class AbstractMartObjective implements Objective {

    /**
     * The weight β of the weighted KL term.
     *
     * @return β, finite and non-negative; default 6
     */
    @Value.Default
    public double beta() {
        return 6.0;
    }

    @Override
    public String name() {
        return "MART(beta=" + beta() + ")";
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
