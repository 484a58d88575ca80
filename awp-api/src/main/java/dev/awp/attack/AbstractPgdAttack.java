package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.awp.internal.Checks;
import java.util.Map;
import java.util.regex.Pattern;
import org.immutables.value.Value;

/**
 * Projected gradient descent (Madry et al., 2018), the attack of PGD-AT, TRADES, MART and the
 * standard evaluations.
 *
 * <p>Each of {@link #steps()} iterations moves the perturbation δ along the gradient of {@link
 * #loss()} with respect to the input — {@code δ += α·sign(∇)} for L∞, {@code δ += α·∇/‖∇‖} per
 * example for L2 — then projects it back onto the ε-ball and clamps {@code x + δ} to the input
 * bounds. With {@link #restarts()} {@code > 1}, the attack runs again from new random starts and
 * keeps, per example, the perturbation with the highest loss.
 *
 * <pre>{@code
 * PgdAttack pgd20 = PgdAttack.builder()
 *         .threatModel(ThreatModel.linf(8 / 255.0))
 *         .steps(20)
 *         .stepSize(2 / 255.0)
 *         .build();
 * }</pre>
 */
@Value.Immutable
abstract class AbstractPgdAttack implements Attack {

    private static final Pattern AUTOMATIC_NAME = Pattern.compile("(PGD|CW)-[0-9]+");

    @Override
    public abstract ThreatModel threatModel();

    /**
     * The number of gradient steps.
     *
     * @return the steps, at least 1
     */
    public abstract int steps();

    /**
     * The step size α, in input units (L∞: per component; L2: per example).
     *
     * @return α, finite and positive
     */
    public abstract double stepSize();

    /**
     * Where each run starts.
     *
     * @return the start; default {@link RandomStart#UNIFORM}
     */
    @Value.Default
    public RandomStart randomStart() {
        return RandomStart.UNIFORM;
    }

    /**
     * The standard deviation of the {@link RandomStart#GAUSSIAN} start.
     *
     * @return σ; default 0.001 (TRADES and MART)
     */
    @Value.Default
    public double gaussianStd() {
        return 0.001;
    }

    /**
     * How many times the attack runs; the worst case per example is kept.
     *
     * @return the number of runs, at least 1; default 1
     */
    @Value.Default
    public int restarts() {
        return 1;
    }

    /**
     * The loss the attack ascends.
     *
     * @return the loss; default {@link AttackLoss#crossEntropy()}
     */
    @Value.Default
    public AttackLoss loss() {
        return AttackLoss.crossEntropy();
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
     * @return {@code PGD}
     */
    @Override
    public final String kind() {
        return "PGD";
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code steps}, {@code stepSize}, {@code randomStart}, {@code gaussianStd} (with a
     *     {@link RandomStart#GAUSSIAN} start only), {@code restarts}, {@code loss} (its kind) and
     *     {@code kappa}
     */
    @Override
    public Map<String, Object> parameters() {
        ImmutableMap.Builder<String, Object> parameters = ImmutableMap.builder();
        parameters.put("steps", steps()).put("stepSize", stepSize());
        parameters.put("randomStart", randomStart());
        if (randomStart() == RandomStart.GAUSSIAN) {
            parameters.put("gaussianStd", gaussianStd());
        }
        return parameters
                .put("restarts", restarts())
                .put("loss", loss().kind())
                .put("kappa", loss().kappa())
                .build();
    }

    /**
     * {@inheritDoc}
     *
     * <p>A name of the automatic form {@code PGD-k} or {@code CW-k} always follows {@link #steps()}
     * and {@link #loss()}, so that copies such as {@code Attacks.pgd20().withSteps(50)} are named
     * truthfully ({@code "PGD-50"}); any other name is kept as given.
     *
     * @return e.g. {@code "PGD-20"} or {@code "CW-100"}
     */
    @Override
    @Value.Default
    public String name() {
        return automaticName();
    }

    private String automaticName() {
        String prefix = loss().kind() == AttackLoss.Kind.CW_MARGIN ? "CW" : "PGD";
        return prefix + "-" + steps();
    }

    @Value.Check
    AbstractPgdAttack check() {
        Checks.atLeast("steps", steps(), 1);
        Checks.positive("stepSize", stepSize());
        Checks.positive("gaussianStd", gaussianStd());
        Checks.atLeast("restarts", restarts(), 1);
        checkArgument(
                restarts() == 1 || randomStart() != RandomStart.NONE,
                "restarts must be 1 when randomStart is NONE but was %s"
                        + " (restarts from the same start give the same result)",
                restarts());
        checkArgument(!name().isBlank(), "name must not be blank but was '%s'", name());
        // A copy made with withSteps(..) or withLoss(..) keeps the old automatic name: refresh it.
        if (AUTOMATIC_NAME.matcher(name()).matches() && !name().equals(automaticName())) {
            return ((PgdAttack) this).withName(automaticName());
        }
        return this;
    }
}
