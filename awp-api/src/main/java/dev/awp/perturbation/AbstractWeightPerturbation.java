package dev.awp.perturbation;

import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * The adversarial weight perturbation of AWP: its relative size γ, when it starts, which tensors it
 * perturbs, the order of restore and optimizer step, and where its direction comes from (the
 * paper's extra pass, or, as an approximation, the attack's last iteration).
 *
 * <pre>{@code
 * WeightPerturbation awp = WeightPerturbation.builder().gamma(0.01).build();   // AT-AWP
 * WeightPerturbation off = WeightPerturbation.none();                          // plain AT
 * }</pre>
 *
 * <p>With one ascent step (the paper), {@code v_l = γ‖w_l‖ g_l/(‖g_l‖ + 1e-20)}. With {@code K > 1}
 * {@link #ascentSteps() ascent steps}, starting from {@code v = 0}, each step adds {@code
 * ascentStepSize·γ‖w_l‖·g_l/(‖g_l‖ + 1e-20)} with {@code g} taken at {@code w + v}, and projects
 * {@code v_l} back onto the ball {@code ‖v_l‖ ≤ γ‖w_l‖}.
 *
 * <p>{@code γ = 0}, or any epoch before {@link #warmupEpochs()}, leaves training bit-identical to
 * the base method.
 */
@Value.Immutable
abstract class AbstractWeightPerturbation {

    /**
     * The relative radius γ of the per-layer ball {@code ‖v_l‖ ≤ γ‖w_l‖}.
     *
     * @return γ, finite and non-negative; 0 disables AWP
     */
    public abstract double gamma();

    /**
     * The number of epochs (0-based) before AWP starts: AWP is off while {@code epoch <
     * warmupEpochs}.
     *
     * @return the warm-up, at least 0; default 0
     */
    @Value.Default
    public int warmupEpochs() {
        return 0;
    }

    /**
     * Which tensors are perturbed.
     *
     * @return the selection; default {@link TensorSelection#layerWeights()}
     */
    @Value.Default
    public TensorSelection tensors() {
        return TensorSelection.layerWeights();
    }

    /**
     * The order of restore and optimizer step.
     *
     * @return the order; default {@link StepOrder#UPDATE_THEN_RESTORE} (the reference's)
     */
    @Value.Default
    public StepOrder stepOrder() {
        return StepOrder.UPDATE_THEN_RESTORE;
    }

    /**
     * The number of gradient-ascent steps that build {@code v}.
     *
     * @return K, at least 1; default 1 (the paper)
     */
    @Value.Default
    public int ascentSteps() {
        return 1;
    }

    /**
     * The length of each ascent step as a fraction of the radius {@code γ‖w_l‖}; only used when
     * {@link #ascentSteps()} {@code > 1}.
     *
     * @return the fraction, finite and positive; default 1
     */
    @Value.Default
    public double ascentStepSize() {
        return 1.0;
    }

    /**
     * Where the weight gradient that gives {@code v} comes from: the paper's extra pass, or the
     * attack's last iteration (an approximation that saves the pass).
     *
     * @return the direction; default {@link PerturbationDirection#EXACT} (the paper)
     */
    @Value.Default
    public PerturbationDirection direction() {
        return PerturbationDirection.EXACT;
    }

    /**
     * Whether AWP perturbs the weights in this epoch.
     *
     * @param epoch the 0-based epoch
     * @return true if {@code γ > 0} and {@code epoch >= warmupEpochs}
     */
    public final boolean isActive(int epoch) {
        return gamma() > 0 && epoch >= warmupEpochs();
    }

    @Value.Check
    void check() {
        Checks.nonNegative("gamma", gamma());
        Checks.atLeast("warmupEpochs", warmupEpochs(), 0);
        Checks.atLeast("ascentSteps", ascentSteps(), 1);
        Checks.positive("ascentStepSize", ascentStepSize());
        if (direction() == PerturbationDirection.LAST_ATTACK_STEP && ascentSteps() != 1) {
            throw new IllegalArgumentException(
                    "ascentSteps must be 1 with direction LAST_ATTACK_STEP (the attack gives one"
                            + " gradient) but was "
                            + ascentSteps());
        }
    }

    /**
     * No weight perturbation: training is exactly the base method.
     *
     * @return a perturbation with γ = 0
     */
    public static WeightPerturbation none() {
        return WeightPerturbation.builder().gamma(0).build();
    }

    /**
     * AWP with the given γ and the reference defaults for everything else.
     *
     * @param gamma γ, e.g. 0.01 for AT-AWP, 0.005 for TRADES-AWP
     * @return the perturbation
     * @throws IllegalArgumentException if γ is negative or not finite
     */
    public static WeightPerturbation of(double gamma) {
        return WeightPerturbation.builder().gamma(gamma).build();
    }
}
