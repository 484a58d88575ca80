package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.awp.internal.Checks;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.immutables.value.Value;

/**
 * Auto-PGD (Croce and Hein, <i>Reliable evaluation of adversarial robustness with an ensemble of
 * diverse parameter-free attacks</i>, ICML 2020, <a
 * href="https://arxiv.org/abs/2003.01690">arXiv:2003.01690</a>): the gradient attacks of
 * AutoAttack, APGD-CE and APGD-T. No step size to tune:
 *
 * <ul>
 *   <li>the step size η starts at 2ε and is halved at checkpoints {@code w_j = ⌈p_j·N⌉} of the
 *       {@link #steps() N} iterations, {@code p_0 = 0}, {@code p_1 = 0.22}, {@code p_{j+1} = p_j +
 *       max(p_j − p_{j−1} − 0.03, 0.06)}, when (1) the loss increased in at most a fraction {@link
 *       #rho() ρ} of the steps since the last checkpoint, or (2) neither the step size nor the best
 *       loss changed since the last checkpoint; after halving, the iterate restarts from the best
 *       point found;
 *   <li>each step has momentum 0.75: {@code z = P(x_k + η·s(∇))}, {@code x_{k+1} = P(x_k + 0.75·(z
 *       − x_k) + 0.25·(x_k − x_{k−1}))} ({@code s} = sign for L∞, the normalized gradient for L2;
 *       no momentum on the first step);
 *   <li>everything (step size, best point, checkpoint conditions) is kept per example.
 * </ul>
 *
 * <p>Examples misclassified at the clean input are not attacked. {@link #restarts() Restarts} (and,
 * for APGD-T, the {@link #targetClasses() target classes}) run one after the other on the examples
 * not yet misclassified.
 *
 * <pre>{@code
 * ApgdAttack apgdCe = ApgdAttack.builder().threatModel(ThreatModel.linf(8 / 255.0)).build();
 * ApgdAttack apgdT = Attacks.apgdT();
 * }</pre>
 */
@Value.Immutable
abstract class AbstractApgdAttack implements Attack {

    private static final Set<String> AUTOMATIC_NAMES = Set.of("APGD-CE", "APGD-DLR", "APGD-T");

    @Override
    public abstract ThreatModel threatModel();

    /**
     * The number of iterations N per run.
     *
     * @return the steps, at least 1; default 100 (AutoAttack)
     */
    @Value.Default
    public int steps() {
        return 100;
    }

    /**
     * How many runs from random starts, each on the examples not yet misclassified; for a targeted
     * attack, per target class.
     *
     * @return the number of runs, at least 1; default 1 (AutoAttack's standard version)
     */
    @Value.Default
    public int restarts() {
        return 1;
    }

    /**
     * The loss.
     *
     * @return the loss; default {@link ApgdLoss#CROSS_ENTROPY}
     */
    @Value.Default
    public ApgdLoss loss() {
        return ApgdLoss.CROSS_ENTROPY;
    }

    /**
     * Whether the attack is targeted (APGD-T): it then ascends the targeted DLR loss towards each
     * of the {@link #targetClasses()} classes with the highest clean logits after the top one, in
     * turn.
     *
     * @return true for APGD-T; default false
     */
    @Value.Default
    public boolean targeted() {
        return false;
    }

    /**
     * The number of target classes of a targeted attack, capped when run at the number of classes −
     * 1; ignored when not targeted.
     *
     * @return the number, at least 1; default 9 (AutoAttack, for 10 classes)
     */
    @Value.Default
    public int targetClasses() {
        return 9;
    }

    /**
     * The threshold ρ of the first checkpoint condition: the step size is halved when the loss
     * increased in at most {@code ρ·(w_j − w_{j−1})} of the steps since the last checkpoint.
     *
     * @return ρ, in (0, 1); default 0.75
     */
    @Value.Default
    public double rho() {
        return 0.75;
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
     * <p>The automatic names {@code APGD-CE}, {@code APGD-DLR} and {@code APGD-T} always follow
     * {@link #loss()} and {@link #targeted()}; any other name is kept as given.
     *
     * @return e.g. {@code "APGD-CE"} or {@code "APGD-T"}
     */
    @Override
    @Value.Default
    public String name() {
        return automaticName();
    }

    private String automaticName() {
        if (targeted()) {
            return "APGD-T";
        }
        return loss() == ApgdLoss.DLR ? "APGD-DLR" : "APGD-CE";
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code APGD}
     */
    @Override
    public final String kind() {
        return "APGD";
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code 1 + runs·(steps + 1)}, {@code runs = restarts} (times {@link #targetClasses()}
     *     when targeted): the clean pass, then per run the start and every iterate
     */
    @Override
    public final OptionalLong queryBudget() {
        long runs = (long) restarts() * (targeted() ? targetClasses() : 1);
        return OptionalLong.of(1 + runs * (steps() + 1));
    }

    /**
     * The smallest number of classes the loss is defined for: 2 for cross-entropy, 3 for DLR (it
     * uses the third-largest logit), 4 for targeted DLR (the fourth-largest).
     *
     * @return the minimum number of classes
     */
    @Override
    public final int minimumClasses() {
        if (loss() == ApgdLoss.CROSS_ENTROPY) {
            return 2;
        }
        return targeted() ? 4 : 3;
    }

    /**
     * Checks that the attack can run on a model with this many classes.
     *
     * @param numClasses the number of classes (the size of the model's output)
     * @throws IllegalArgumentException if {@code numClasses < }{@link #minimumClasses()}
     */
    @Override
    public final void checkNumClasses(int numClasses) {
        checkArgument(
                numClasses >= minimumClasses(),
                "numClasses must be >= %s for %s (the %s loss uses the %s-largest logit) but was"
                        + " %s; use APGD-CE on models with fewer classes",
                minimumClasses(),
                name(),
                targeted() ? "targeted DLR" : "DLR",
                targeted() ? "fourth" : "third",
                numClasses);
    }

    /**
     * The number of target classes a targeted run uses on a model with this many classes: {@link
     * #targetClasses()} capped at {@code numClasses − 1}; 0 when not targeted.
     *
     * @param numClasses the number of classes, at least {@link #minimumClasses()}
     * @return the number of targets
     * @throws IllegalArgumentException if {@code numClasses < }{@link #minimumClasses()}
     */
    public final int effectiveTargetClasses(int numClasses) {
        checkNumClasses(numClasses);
        return targeted() ? Math.min(targetClasses(), numClasses - 1) : 0;
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code steps}, {@code restarts}, {@code loss}, {@code targeted}, {@code
     *     targetClasses} (targeted only) and {@code rho}
     */
    @Override
    public Map<String, Object> parameters() {
        ImmutableMap.Builder<String, Object> parameters = ImmutableMap.builder();
        parameters.put("steps", steps()).put("restarts", restarts()).put("loss", loss());
        parameters.put("targeted", targeted());
        if (targeted()) {
            parameters.put("targetClasses", targetClasses());
        }
        return parameters.put("rho", rho()).build();
    }

    @Value.Check
    AbstractApgdAttack check() {
        Checks.atLeast("steps", steps(), 1);
        Checks.atLeast("restarts", restarts(), 1);
        Checks.atLeast("targetClasses", targetClasses(), 1);
        Checks.aboveZeroBelowOne("rho", rho());
        checkArgument(
                !targeted() || loss() == ApgdLoss.DLR,
                "loss must be DLR for a targeted APGD (APGD-T ascends the targeted DLR loss) but"
                        + " was %s",
                loss());
        checkArgument(!name().isBlank(), "name must not be blank but was '%s'", name());
        if (AUTOMATIC_NAMES.contains(name()) && !name().equals(automaticName())) {
            return ((ApgdAttack) this).withName(automaticName());
        }
        return this;
    }
}
