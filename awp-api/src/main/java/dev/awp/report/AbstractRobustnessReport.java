package dev.awp.report;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.attack.ThreatModel;
import dev.awp.internal.Checks;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * The outcome of a robustness evaluation: clean accuracy, then one {@link AttackResult} per attack
 * of the cascade, each with the cumulative worst case after it, and {@link #robustAccuracy()}, the
 * accuracy under all attacks together (an example is robust if it survives every attack). Every
 * accuracy carries its 95% Wilson interval. The report also keeps what is needed to reproduce and
 * to judge the number: the dataset and subset seed, the attack seed, the threat model, each
 * attack's settings, the {@link AttackAccounting}, the library and engine versions, the time taken
 * and the warnings of the sanity checks.
 *
 * <pre>{@code
 * RobustnessReport report = evaluator.evaluate(model.getBlock(), testSet, 1000, 0L);
 * System.out.printf(Locale.ROOT, "clean %.1f%%, robust %.1f%% [%.1f, %.1f]%n",
 *         100 * report.cleanAccuracy().value(), 100 * report.robustAccuracy().value(),
 *         100 * report.robustAccuracy().lower(), 100 * report.robustAccuracy().upper());
 * }</pre>
 */
@Value.Immutable
abstract class AbstractRobustnessReport {

    /** The {@link #brokenBy()} code of an example that survived every attack. */
    public static final int ROBUST = -1;

    /** The {@link #brokenBy()} code of an example misclassified at the clean input. */
    public static final int CLEAN_ERROR = -2;

    /**
     * The name of the evaluated dataset.
     *
     * @return the name, not blank
     */
    public abstract String dataset();

    /**
     * The number of evaluated examples.
     *
     * @return the count, at least 1
     */
    public abstract int examples();

    /**
     * The seed that drew the evaluated subset of the dataset.
     *
     * @return the seed, empty when the whole dataset was evaluated
     */
    public abstract Optional<Long> subsetSeed();

    /**
     * The seed of the attacks' random draws (each example's stream is seeded from it, the attack
     * and the example's index).
     *
     * @return the seed
     */
    public abstract long seed();

    /**
     * The batch size of the evaluation (random starts depend on it).
     *
     * @return the batch size, at least 1
     */
    public abstract int batchSize();

    /**
     * The threat model every attack respected.
     *
     * @return the threat model
     */
    public abstract ThreatModel threatModel();

    /**
     * Which examples each attack ran on.
     *
     * @return the accounting
     */
    public abstract AttackAccounting accounting();

    /**
     * The accuracy on the clean inputs, in inference mode.
     *
     * @return the accuracy over {@link #examples()}
     */
    public abstract Accuracy cleanAccuracy();

    /**
     * The results of the attacks, in the order they ran.
     *
     * @return the results, possibly empty
     */
    public abstract List<AttackResult> attacks();

    /**
     * The robust accuracy: correct at the clean input and under every attack; the cumulative
     * accuracy after the last attack, or the clean accuracy when there is no attack.
     *
     * @return the accuracy over {@link #examples()}
     */
    public final Accuracy robustAccuracy() {
        List<AttackResult> attacks = attacks();
        return attacks.isEmpty()
                ? cleanAccuracy()
                : attacks.get(attacks.size() - 1).cumulativeAccuracy();
    }

    /**
     * The result of the attack with this name.
     *
     * @param name the attack's name, e.g. {@code "PGD-20"}
     * @return the first result of that name, if any
     */
    public final Optional<AttackResult> attack(String name) {
        return attacks().stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /**
     * Which attack broke each example, in the order the examples were evaluated: the index in
     * {@link #attacks()} of the first attack under which it was misclassified, {@link #ROBUST} if
     * none, {@link #CLEAN_ERROR} if it was misclassified at the clean input. The counts agree with
     * the accuracies: {@code cumulativeAccuracy().correct()} of attack {@code k} is the number of
     * codes that are {@link #ROBUST} or greater than {@code k}.
     *
     * @return the codes, one per example; empty in reports written before they were recorded
     */
    public abstract List<Integer> brokenBy();

    /**
     * The name of the attack that first broke an example.
     *
     * @param example the example's position in the evaluation, in {@code [0, examples)}
     * @return the attack's name; empty if the example is robust or misclassified at the clean input
     * @throws IllegalStateException if the report has no {@link #brokenBy()} codes
     * @throws IndexOutOfBoundsException if {@code example} is out of range
     */
    public final Optional<String> brokenByName(int example) {
        if (brokenBy().isEmpty()) {
            throw new IllegalStateException(
                    "brokenByName needs the per-example codes, but this report has none (written"
                            + " before they were recorded)");
        }
        int code = brokenBy().get(example);
        return code >= 0 ? Optional.of(attacks().get(code).name()) : Optional.empty();
    }

    /**
     * Facts about where the evaluation ran, such as {@code "awp.version"}, {@code "djl.version"},
     * {@code "engine"}, {@code "engine.version"}, {@code "device"} or {@code "java.version"}.
     *
     * @return the entries, possibly empty
     */
    public abstract Map<String, String> environment();

    /**
     * The warnings of the sanity checks (for example zero input gradients, a hint of gradient
     * masking); a robust accuracy reported with warnings deserves a second look.
     *
     * @return the warnings, possibly empty
     */
    public abstract List<String> warnings();

    /**
     * The wall-clock time of the whole evaluation.
     *
     * @return the seconds, finite and non-negative
     */
    public abstract double elapsedSeconds();

    @Value.Check
    void check() {
        checkArgument(!dataset().isBlank(), "dataset must not be blank but was '%s'", dataset());
        Checks.atLeast("examples", examples(), 1);
        Checks.atLeast("batchSize", batchSize(), 1);
        Checks.nonNegative("elapsedSeconds", elapsedSeconds());
        checkArgument(
                cleanAccuracy().total() == examples(),
                "cleanAccuracy.total must equal examples (%s) but was %s",
                examples(),
                cleanAccuracy().total());
        checkBrokenBy();
        int previous = cleanAccuracy().correct();
        for (int i = 0; i < attacks().size(); i++) {
            AttackResult result = attacks().get(i);
            String at = "attacks[" + i + "]";
            checkArgument(
                    result.cumulativeAccuracy().total() == examples(),
                    "%s.cumulativeAccuracy.total must equal examples (%s) but was %s",
                    at,
                    examples(),
                    result.cumulativeAccuracy().total());
            checkArgument(
                    result.cumulativeAccuracy().correct() <= previous,
                    "%s.cumulativeAccuracy.correct must be <= %s (the worst case never improves)"
                            + " but was %s",
                    at,
                    previous,
                    result.cumulativeAccuracy().correct());
            result.ownAccuracy()
                    .ifPresent(
                            own ->
                                    checkArgument(
                                            own.correct() <= cleanAccuracy().correct(),
                                            "%s.ownAccuracy.correct must be <="
                                                    + " cleanAccuracy.correct (%s) but was %s",
                                            at,
                                            cleanAccuracy().correct(),
                                            own.correct()));
            if (accounting() == AttackAccounting.CASCADE) {
                checkArgument(
                        result.attacked() == previous,
                        "%s.attacked must be %s (the survivors so far, in a cascade) but was %s",
                        at,
                        previous,
                        result.attacked());
                checkArgument(
                        result.survived() == result.cumulativeAccuracy().correct(),
                        "%s.survived must equal its cumulativeAccuracy.correct (%s) in a cascade"
                                + " but was %s",
                        at,
                        result.cumulativeAccuracy().correct(),
                        result.survived());
                checkArgument(
                        result.ownAccuracy().isEmpty(),
                        "%s.ownAccuracy must be empty in a cascade but was %s",
                        at,
                        result.ownAccuracy());
            } else {
                checkArgument(
                        result.attacked() == cleanAccuracy().correct(),
                        "%s.attacked must be %s (every clean-correct example) but was %s",
                        at,
                        cleanAccuracy().correct(),
                        result.attacked());
                checkArgument(
                        result.ownAccuracy().isPresent()
                                && result.ownAccuracy().get().correct() == result.survived(),
                        "%s.ownAccuracy must be present with correct = survived (%s) when"
                                + " INDEPENDENT but was %s",
                        at,
                        result.survived(),
                        result.ownAccuracy());
            }
            previous = result.cumulativeAccuracy().correct();
        }
    }

    private void checkBrokenBy() {
        List<Integer> codes = brokenBy();
        if (codes.isEmpty()) {
            return;
        }
        checkArgument(
                codes.size() == examples(),
                "brokenBy must have one code per example (%s) but was of size %s",
                examples(),
                codes.size());
        int attacks = attacks().size();
        int[] firstBroken = new int[attacks];
        int cleanCorrect = 0;
        for (int i = 0; i < codes.size(); i++) {
            int code = codes.get(i);
            checkArgument(
                    code >= CLEAN_ERROR && code < attacks,
                    "brokenBy[%s] must be in [%s, %s) but was %s",
                    i,
                    CLEAN_ERROR,
                    attacks,
                    code);
            if (code != CLEAN_ERROR) {
                cleanCorrect++;
            }
            if (code >= 0) {
                firstBroken[code]++;
            }
        }
        checkArgument(
                cleanCorrect == cleanAccuracy().correct(),
                "brokenBy must count cleanAccuracy.correct (%s) examples correct at the clean"
                        + " input but was %s",
                cleanAccuracy().correct(),
                cleanCorrect);
        int survivors = cleanCorrect;
        for (int k = 0; k < attacks; k++) {
            survivors -= firstBroken[k];
            checkArgument(
                    survivors == attacks().get(k).cumulativeAccuracy().correct(),
                    "attacks[%s].cumulativeAccuracy.correct must equal the examples brokenBy"
                            + " leaves robust after it (%s) but was %s",
                    k,
                    survivors,
                    attacks().get(k).cumulativeAccuracy().correct());
        }
    }
}
