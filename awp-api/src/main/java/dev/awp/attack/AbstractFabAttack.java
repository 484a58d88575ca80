package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.awp.internal.Checks;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.immutables.value.Value;

/**
 * The Fast Adaptive Boundary attack (Croce and Hein, <i>Minimally distorted adversarial examples
 * with a fast adaptive boundary attack</i>, ICML 2020, <a
 * href="https://arxiv.org/abs/1907.02044">arXiv:1907.02044</a>), FAB, and its targeted version
 * FAB-T, the third attack of AutoAttack's standard cascade.
 *
 * <p>FAB looks for the adversarial example closest to the clean input {@code x_orig}. At the
 * iterate {@code x⁽ⁱ⁾} it linearizes the classifier: the decision boundary between the true class
 * {@code c} and a class {@code s} becomes the hyperplane {@code π_s = {z : g_s + ⟨∇g_s, z − x⁽ⁱ⁾⟩ =
 * 0}}, {@code g_s = f_s(x⁽ⁱ⁾) − f_c(x⁽ⁱ⁾)}. Untargeted, it picks the closest one, {@code s =
 * argmin_{s≠c} |g_s| / ‖∇g_s‖_q} ({@code q} the dual norm: 1 for L∞, 2 for L2); FAB-T takes the
 * target class. With {@code δ = proj(x⁽ⁱ⁾) − x⁽ⁱ⁾} and {@code δ_orig = proj(x_orig) − x_orig} the
 * minimal-norm steps onto {@code π_s} inside the input domain, and {@code α = min(‖δ‖ / (‖δ‖ +
 * ‖δ_orig‖), α_max)}:
 *
 * <pre>
 * x⁽ⁱ⁺¹⁾ = clip((1 − α)·(x⁽ⁱ⁾ + η·δ) + α·(x_orig + η·δ_orig))
 * </pre>
 *
 * and, when {@code x⁽ⁱ⁺¹⁾} is misclassified, it is recorded if closer than the best so far and
 * pulled back: {@code x⁽ⁱ⁺¹⁾ = (1 − β)·x_orig + β·x⁽ⁱ⁺¹⁾}. An example counts as broken when the
 * closest misclassified point lies within ε ({@link #threatModel()}); it is then returned, else the
 * clean input is. The first run starts at {@code x_orig}; every further {@link #restarts() restart}
 * at a random point at distance ε/2 (the reference's {@code min(u, ε)/2} with no best distance
 * {@code u} known yet at the start of a run).
 *
 * <pre>{@code
 * FabAttack fabT = Attacks.fabT();                    // L∞ 8/255, 9 targets, 100 iterations
 * FabAttack fab = Attacks.fabT().withTargeted(false); // untargeted, all classes linearized
 * }</pre>
 */
@Value.Immutable
abstract class AbstractFabAttack implements Attack {

    private static final Set<String> AUTOMATIC_NAMES = Set.of("FAB", "FAB-T");

    @Override
    public abstract ThreatModel threatModel();

    /**
     * The number of iterations per run.
     *
     * @return the number, at least 1; default 100 (AutoAttack)
     */
    @Value.Default
    public int steps() {
        return 100;
    }

    /**
     * The number of runs; for FAB-T, per target class. The first starts at the clean input, the
     * others at random points.
     *
     * @return the number, at least 1; default 1 (AutoAttack's standard version)
     */
    @Value.Default
    public int restarts() {
        return 1;
    }

    /**
     * Whether the attack is targeted (FAB-T): it then moves towards the boundary of each of the
     * {@link #targetClasses()} classes with the highest clean logits after the top one, in turn, on
     * the examples not yet broken. Untargeted FAB linearizes every class (one input gradient per
     * class).
     *
     * @return true for FAB-T; default true
     */
    @Value.Default
    public boolean targeted() {
        return true;
    }

    /**
     * The number of target classes of FAB-T, capped when run at the number of classes − 1; ignored
     * when not targeted.
     *
     * @return the number, at least 1; default 9 (AutoAttack)
     */
    @Value.Default
    public int targetClasses() {
        return 9;
    }

    /**
     * The largest weight α of the step from the clean input.
     *
     * @return α_max, in [0, 1]; default 0.1
     */
    @Value.Default
    public double alphaMax() {
        return 0.1;
    }

    /**
     * The overshoot η of the projections onto the linearized boundary.
     *
     * @return η, at least 1; default 1.05
     */
    @Value.Default
    public double eta() {
        return 1.05;
    }

    /**
     * The backward step β towards the clean input after a misclassified iterate.
     *
     * @return β, in (0, 1); default 0.9
     */
    @Value.Default
    public double beta() {
        return 0.9;
    }

    /**
     * How BatchNorm runs while the attack queries the model.
     *
     * @return the mode; default {@link BatchNormMode#EVAL}
     */
    @Value.Default
    @Override
    public BatchNormMode batchNormMode() {
        return BatchNormMode.EVAL;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The automatic names {@code FAB} and {@code FAB-T} always follow {@link #targeted()}; any
     * other name is kept as given.
     *
     * @return e.g. {@code "FAB-T"}
     */
    @Override
    @Value.Default
    public String name() {
        return automaticName();
    }

    private String automaticName() {
        return targeted() ? "FAB-T" : "FAB";
    }

    /**
     * The number of target classes a targeted run uses on a model with this many classes: {@link
     * #targetClasses()} capped at {@code numClasses − 1}; 0 when not targeted.
     *
     * @param numClasses the number of classes, at least 2
     * @return the number of targets
     * @throws IllegalArgumentException if {@code numClasses < 2}
     */
    public final int effectiveTargetClasses(int numClasses) {
        checkArgument(
                numClasses >= 2,
                "numClasses must be >= 2 for %s (a boundary needs two classes) but was %s",
                name(),
                numClasses);
        return targeted() ? Math.min(targetClasses(), numClasses - 1) : 0;
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code FAB}
     */
    @Override
    public final String kind() {
        return "FAB";
    }

    /**
     * {@inheritDoc}
     *
     * @return for FAB-T {@code 1 + 2·restarts·targetClasses·steps} (the clean pass, then per
     *     iteration a linearization and a check); untargeted FAB empty, because the forward passes
     *     of its linearization depend on the binding (awp-djl: one on the PyTorch engine, which
     *     keeps the graph for one backward pass per class; one per class on other engines)
     */
    @Override
    public final OptionalLong queryBudget() {
        return targeted()
                ? OptionalLong.of(1 + 2L * restarts() * targetClasses() * steps())
                : OptionalLong.empty();
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code steps}, {@code restarts}, {@code targeted}, {@code targetClasses} (targeted
     *     only), {@code alphaMax}, {@code eta} and {@code beta}
     */
    @Override
    public Map<String, Object> parameters() {
        ImmutableMap.Builder<String, Object> parameters = ImmutableMap.builder();
        parameters.put("steps", steps()).put("restarts", restarts()).put("targeted", targeted());
        if (targeted()) {
            parameters.put("targetClasses", targetClasses());
        }
        return parameters.put("alphaMax", alphaMax()).put("eta", eta()).put("beta", beta()).build();
    }

    @Value.Check
    AbstractFabAttack check() {
        Checks.atLeast("steps", steps(), 1);
        Checks.atLeast("restarts", restarts(), 1);
        Checks.atLeast("targetClasses", targetClasses(), 1);
        checkArgument(
                alphaMax() >= 0 && alphaMax() <= 1,
                "alphaMax must be in [0, 1] but was %s",
                alphaMax());
        checkArgument(Double.isFinite(eta()) && eta() >= 1, "eta must be >= 1 but was %s", eta());
        Checks.aboveZeroBelowOne("beta", beta());
        checkArgument(!name().isBlank(), "name must not be blank but was '%s'", name());
        if (AUTOMATIC_NAMES.contains(name()) && !name().equals(automaticName())) {
            return ((FabAttack) this).withName(automaticName());
        }
        return this;
    }
}
