package dev.awp.training;

import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.internal.Checks;
import org.immutables.value.Value;

/**
 * When and how a training run measures robustness: clean and robust accuracy on a fixed, seeded
 * subset of the validation split (robust accuracy drives the choice of the best epoch, as PGD-20
 * test robust accuracy does in the AWP paper), and robust accuracy on a fixed subset of the
 * training split, at the unperturbed weights {@code w}, to track the robust generalization gap that
 * AWP closes.
 *
 * <pre>{@code
 * EvaluationPlan plan = EvaluationPlan.builder().everyEpochs(5).subsetSize(2000).build();
 * }</pre>
 *
 * <p>A subset size larger than its split means the whole split. Both subsets are drawn once, with
 * {@link #subsetSeed()}, and reused at every evaluation so that epochs are comparable.
 */
@Value.Immutable
abstract class AbstractEvaluationPlan {

    /**
     * The evaluation period in epochs: the run evaluates after every {@code everyEpochs}-th epoch
     * and always after the last one (see {@link #evaluatesAt(int, int)}).
     *
     * @return the period, at least 1; default 1
     */
    @Value.Default
    public int everyEpochs() {
        return 1;
    }

    /**
     * How many validation examples are evaluated (clean and under {@link #attack()}).
     *
     * @return the size, at least 1; default 1000
     */
    @Value.Default
    public int subsetSize() {
        return 1000;
    }

    /**
     * How many training examples are evaluated under {@link #attack()} at the unperturbed weights,
     * to measure the train–validation robust gap; 0 disables this measurement.
     *
     * @return the size, at least 0; default 1000
     */
    @Value.Default
    public int trainSubsetSize() {
        return 1000;
    }

    /**
     * The seed that draws both subsets.
     *
     * @return the seed; default 0
     */
    @Value.Default
    public long subsetSeed() {
        return 0L;
    }

    /**
     * The attack that measures robust accuracy.
     *
     * @return the attack; default {@link dev.awp.attack.Attacks#pgd20()} (L∞ 8/255, α = 2/255, 20
     *     steps)
     */
    @Value.Default
    public Attack attack() {
        return Attacks.pgd20();
    }

    /**
     * Whether the run evaluates after this epoch: every {@link #everyEpochs()}-th epoch and the
     * last one.
     *
     * @param epoch the 0-based epoch
     * @param totalEpochs the number of epochs of the run
     * @return true if {@code (epoch + 1) % everyEpochs == 0} or {@code epoch == totalEpochs − 1}
     */
    public final boolean evaluatesAt(int epoch, int totalEpochs) {
        return (epoch + 1) % everyEpochs() == 0 || epoch == totalEpochs - 1;
    }

    @Value.Check
    void check() {
        Checks.atLeast("everyEpochs", everyEpochs(), 1);
        Checks.atLeast("subsetSize", subsetSize(), 1);
        Checks.atLeast("trainSubsetSize", trainSubsetSize(), 0);
    }
}
