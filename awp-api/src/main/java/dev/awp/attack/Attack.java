package dev.awp.attack;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Map;
import java.util.OptionalLong;

/**
 * An input attack: a recipe for crafting adversarial examples inside a {@link ThreatModel}.
 *
 * <p>This type is open. The built-in specifications are {@link PgdAttack}, {@link FgsmAttack},
 * {@link ApgdAttack}, {@link FabAttack} and {@link SquareAttack}; a user-defined attack implements
 * the engine binding's attack interface (in {@code awp-djl}: {@code
 * dev.awp.djl.attack.InputAttack}), which extends this type, and is then accepted everywhere a
 * built-in attack is. Override {@link #parameters()} so that reports say how it is configured.
 */
public interface Attack {

    /**
     * The threat model the adversarial examples respect.
     *
     * @return the threat model
     */
    ThreatModel threatModel();

    /**
     * A short human-readable name used in logs and reports, e.g. {@code "PGD-20"}.
     *
     * @return the name
     */
    String name();

    /**
     * The attack's own settings, for reports: ordered name → value entries, e.g. {@code steps →
     * 20}, {@code stepSize → 0.00784…} for PGD-20. A robustness report writes, for each attack, its
     * {@link #name()} and then its type, the norm and ε of its {@link #threatModel()}, these
     * entries in their order, and its {@link #batchNormMode()}; so leave those four out (the keys
     * {@code type}, {@code norm}, {@code epsilon} and {@code batchNormMode} are the report's). Each
     * value is written with {@link String#valueOf(Object)}: use strings, numbers, booleans or
     * enums.
     *
     * <p>The built-in attacks list every setting that changes what they compute. A custom attack
     * should override this method; the default, an empty map, leaves its report with the name,
     * class, threat model and BatchNorm mode only.
     *
     * <pre>{@code
     * public Map<String, Object> parameters() {
     *     Map<String, Object> parameters = new LinkedHashMap<>();
     *     parameters.put("steps", steps);
     *     parameters.put("decay", decay);
     *     return parameters;
     * }
     * }</pre>
     *
     * @return the settings in a stable order, without null keys or values; empty by default
     */
    default Map<String, Object> parameters() {
        return Map.of();
    }

    /**
     * What kind of attack this is, for reports: written as the {@code type} entry of the attack's
     * settings, beside its {@link #name()} (which names one configuration). The built-in
     * specifications say {@code PGD}, {@code FGSM}, {@code APGD}, {@code FAB} and {@code Square}.
     *
     * @return the kind; by default the attack's class name
     */
    default String kind() {
        return getClass().getName();
    }

    /**
     * The most queries per example the attack spends on a batch: single-example forward passes on
     * the model it attacks, counted as an evaluator counts them, including the clean pass. An
     * evaluator uses it to show how far a running attack is.
     *
     * @return the budget, or empty when it is not known in advance (the default)
     */
    default OptionalLong queryBudget() {
        return OptionalLong.empty();
    }

    /**
     * The smallest number of classes (model outputs) the attack is defined for, e.g. 3 for a loss
     * that uses the third-largest logit.
     *
     * @return the minimum, at least 1; 1 by default
     */
    default int minimumClasses() {
        return 1;
    }

    /**
     * Checks that the attack can run on a model with this many classes; an evaluator calls it
     * before any attack runs.
     *
     * @param numClasses the number of classes (the size of the model's output)
     * @throws IllegalArgumentException if {@code numClasses < }{@link #minimumClasses()}
     */
    default void checkNumClasses(int numClasses) {
        checkArgument(
                numClasses >= minimumClasses(),
                "numClasses must be >= %s for %s but was %s",
                minimumClasses(),
                name(),
                numClasses);
    }

    /**
     * How BatchNorm runs while the attack queries the model: {@link BatchNormMode#EVAL} (running
     * statistics, never updated) or {@link BatchNormMode#TRAIN} (batch statistics, as the AT-AWP
     * reference's training attack). Evaluation always needs {@code EVAL}; see {@link
     * #withBatchNormMode(BatchNormMode)}.
     *
     * @return the mode; {@link BatchNormMode#EVAL} unless the attack says otherwise
     */
    default BatchNormMode batchNormMode() {
        return BatchNormMode.EVAL;
    }

    /**
     * This attack with another BatchNorm mode. The built-in attacks return a copy; an attack that
     * cannot change its mode returns itself when the mode is already the one asked for.
     *
     * @param mode the mode
     * @return an attack with that mode
     * @throws UnsupportedOperationException if the attack cannot run in that mode (override this
     *     method in your attack to support it)
     */
    default Attack withBatchNormMode(BatchNormMode mode) {
        if (mode == batchNormMode()) {
            return this;
        }
        throw new UnsupportedOperationException(
                "attack "
                        + name()
                        + " ("
                        + getClass().getName()
                        + ") runs BatchNorm in "
                        + batchNormMode()
                        + " mode and cannot run in "
                        + mode
                        + ": override Attack.withBatchNormMode");
    }

    /**
     * This attack with another threat model (ε, norm or input bounds). The built-in attacks return
     * a copy with every other setting kept.
     *
     * @param threatModel the threat model
     * @return an attack with that threat model
     * @throws UnsupportedOperationException if the attack cannot change its threat model (override
     *     this method in your attack to support it)
     */
    default Attack withThreatModel(ThreatModel threatModel) {
        if (threatModel.equals(threatModel())) {
            return this;
        }
        throw new UnsupportedOperationException(
                "attack "
                        + name()
                        + " ("
                        + getClass().getName()
                        + ") cannot change its threat model to "
                        + threatModel
                        + ": override Attack.withThreatModel, or build it with that threat model");
    }
}
