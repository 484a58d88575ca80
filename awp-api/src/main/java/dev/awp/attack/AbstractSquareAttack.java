package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.awp.internal.Checks;
import java.util.Map;
import java.util.OptionalLong;
import org.immutables.value.Value;

/**
 * The Square attack (Andriushchenko, Croce, Flammarion and Hein, <i>Square Attack: a
 * query-efficient black-box adversarial attack via random search</i>, ECCV 2020, <a
 * href="https://arxiv.org/abs/1912.00049">arXiv:1912.00049</a>): a random search that needs no
 * gradient, only the model's outputs, so that it also breaks models whose gradients are masked. It
 * is the last attack of AutoAttack's standard cascade.
 *
 * <p>On images {@code (B, c, h, w)} it keeps, per example, the best point found so far and its
 * margin {@code z_y − max_{j≠y} z_j}; each iteration proposes a change inside a random square
 * window of side {@code s ≈ √(p·h·w)} and keeps it when the margin decreases (or the example is
 * misclassified), one model query per example and iteration:
 *
 * <ul>
 *   <li>L∞: start with vertical stripes {@code x ± ε} (one random sign per channel and column); a
 *       proposal sets the window of each channel to {@code x ± ε} (a random sign per channel);
 *   <li>L2: start with a grid of squares holding the paper's centred pattern η (nested squares
 *       weighted {@code Σ 1/(k+1)²}, positive in one half, negative in the other), rescaled to norm
 *       ε; a proposal moves the perturbation's mass from a second random window into the first one,
 *       per channel, keeping the total norm at ε.
 * </ul>
 *
 * <p>The window's share {@code p} of the image starts at {@link #pInit() p_init} and is halved
 * after iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000 (AutoAttack's schedule, not
 * rescaled to the number of queries), see {@link #windowFraction(int)}.
 *
 * <pre>{@code
 * SquareAttack square = Attacks.square();                       // L∞ 8/255, 5,000 queries
 * SquareAttack squareL2 = Attacks.square().withThreatModel(ThreatModel.l2(0.5));
 * }</pre>
 */
@Value.Immutable
abstract class AbstractSquareAttack implements Attack {

    /** The iterations after which {@link #windowFraction(int)} halves. */
    private static final int[] HALVINGS = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};

    @Override
    public abstract ThreatModel threatModel();

    /**
     * The number of iterations (proposals) per run; with the start, an example costs at most {@code
     * queries + 1} forward passes per run, fewer once it is misclassified.
     *
     * @return the number, at least 1; default 5,000 (AutoAttack's standard version)
     */
    @Value.Default
    public int queries() {
        return 5000;
    }

    /**
     * The initial share p of the image that a proposal's window covers.
     *
     * @return p_init, in (0, 1]; default 0.8 (AutoAttack)
     */
    @Value.Default
    public double pInit() {
        return 0.8;
    }

    /**
     * How many runs from new random starts, each on the examples not yet misclassified.
     *
     * @return the number, at least 1; default 1 (AutoAttack)
     */
    @Value.Default
    public int restarts() {
        return 1;
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
     * @return default {@code "Square"}
     */
    @Override
    @Value.Default
    public String name() {
        return "Square";
    }

    /**
     * The window share p at an iteration (0-based): {@code p_init} for iterations up to 10, then
     * halved after each of iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000 ({@code
     * p_init/2} for 11–50, …, {@code p_init/512} after 8000).
     *
     * @param iteration the iteration, at least 0
     * @return p at that iteration
     * @throws IllegalArgumentException if {@code iteration < 0}
     */
    public final double windowFraction(int iteration) {
        Checks.atLeast("iteration", iteration, 0);
        int halvings = 0;
        while (halvings < HALVINGS.length && iteration > HALVINGS[halvings]) {
            halvings++;
        }
        return pInit() / (1 << halvings);
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code Square}
     */
    @Override
    public final String kind() {
        return "Square";
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code 1 + restarts·(queries + 1)}: the clean pass, then per restart the start and
     *     every proposal
     */
    @Override
    public final OptionalLong queryBudget() {
        return OptionalLong.of(1 + (long) restarts() * (queries() + 1));
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code queries}, {@code pInit} and {@code restarts}
     */
    @Override
    public Map<String, Object> parameters() {
        return ImmutableMap.<String, Object>builder()
                .put("queries", queries())
                .put("pInit", pInit())
                .put("restarts", restarts())
                .build();
    }

    @Value.Check
    void check() {
        Checks.atLeast("queries", queries(), 1);
        Checks.aboveZeroAtMostOne("pInit", pInit());
        Checks.atLeast("restarts", restarts(), 1);
        checkArgument(!name().isBlank(), "name must not be blank but was '%s'", name());
    }
}
