package dev.awp.report;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.internal.Checks;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What one attack of a {@link RobustnessReport} measured: how many examples it ran on and how many
 * of those it failed to break, its own accuracy (when the {@link AttackAccounting} measures it),
 * and the cumulative worst case after it.
 */
@Value.Immutable
abstract class AbstractAttackResult {

    /**
     * The attack's name, e.g. {@code "PGD-20"}.
     *
     * @return the name, not blank
     */
    public abstract String name();

    /**
     * The attack's settings, e.g. {@code steps → 20}, {@code stepSize → 0.00784…}, in a stable
     * order.
     *
     * @return the settings by name, possibly empty
     */
    public abstract Map<String, String> parameters();

    /**
     * How many examples the attack ran on.
     *
     * @return the count, at least 0
     */
    public abstract int attacked();

    /**
     * How many of the {@link #attacked()} examples were still classified correctly under the
     * attack.
     *
     * @return the count, in {@code [0, attacked]}
     */
    public abstract int survived();

    /**
     * The attack's own robust accuracy on all examples (correct at the clean input and under this
     * attack), when measured: present with {@link AttackAccounting#INDEPENDENT}, empty with {@link
     * AttackAccounting#CASCADE}.
     *
     * @return the accuracy, over all examples of the report
     */
    public abstract Optional<Accuracy> ownAccuracy();

    /**
     * The cumulative worst case after this attack: the accuracy over all examples of those correct
     * at the clean input and under this and every earlier attack.
     *
     * @return the accuracy, over all examples of the report
     */
    public abstract Accuracy cumulativeAccuracy();

    /**
     * The wall-clock time the attack took, predictions on its outputs included.
     *
     * @return the seconds, finite and non-negative
     */
    public abstract double elapsedSeconds();

    /**
     * What the attack cost in model queries: the number of single-example forward passes it made (a
     * forward pass over a batch of B examples counts B; a forward pass with its backward pass
     * counts once), predictions on its outputs excluded. For Square, the queries of the paper; for
     * a gradient attack, about (iterations + 1) × examples × runs.
     *
     * @return the count, at least 0; 0 when not measured (reports written before it was)
     */
    @Value.Default
    public long queries() {
        return 0;
    }

    /**
     * The mean number of queries per attacked example.
     *
     * @return {@code queries / attacked}, 0 when the attack ran on no example
     */
    public final double queriesPerExample() {
        return attacked() == 0 ? 0 : (double) queries() / attacked();
    }

    /**
     * The accuracy among the examples the attack ran on: {@code survived / attacked}.
     *
     * @return the accuracy, empty when the attack ran on no example
     */
    public final Optional<Accuracy> accuracyOnAttacked() {
        return attacked() == 0
                ? Optional.empty()
                : Optional.of(Accuracy.of(survived(), attacked()));
    }

    @Value.Check
    void check() {
        checkArgument(!name().isBlank(), "name must not be blank but was '%s'", name());
        Checks.atLeast("attacked", attacked(), 0);
        checkArgument(
                survived() >= 0 && survived() <= attacked(),
                "survived must be in [0, attacked] = [0, %s] but was %s",
                attacked(),
                survived());
        Checks.nonNegative("elapsedSeconds", elapsedSeconds());
        checkArgument(queries() >= 0, "queries must be >= 0 but was %s", queries());
        ownAccuracy()
                .ifPresent(
                        own -> {
                            checkArgument(
                                    own.total() == cumulativeAccuracy().total(),
                                    "ownAccuracy.total must equal cumulativeAccuracy.total (%s)"
                                            + " but was %s",
                                    cumulativeAccuracy().total(),
                                    own.total());
                            checkArgument(
                                    cumulativeAccuracy().correct() <= own.correct(),
                                    "cumulativeAccuracy.correct must be <= ownAccuracy.correct"
                                            + " (%s): the worst case cannot beat one attack but"
                                            + " was %s",
                                    own.correct(),
                                    cumulativeAccuracy().correct());
                        });
    }
}
