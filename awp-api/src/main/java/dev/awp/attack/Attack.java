package dev.awp.attack;

/**
 * An input attack: a recipe for crafting adversarial examples inside a {@link ThreatModel}.
 *
 * <p>This type is open. The built-in specifications are {@link PgdAttack}, {@link FgsmAttack} and
 * {@link ApgdAttack}; a user-defined attack implements the engine binding's attack interface (in
 * {@code awp-djl}: {@code dev.awp.djl.attack.InputAttack}), which extends this type, and is then
 * accepted everywhere a built-in attack is.
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
}
