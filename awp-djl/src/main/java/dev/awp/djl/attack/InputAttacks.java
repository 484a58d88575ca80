package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import dev.awp.attack.ApgdAttack;
import dev.awp.attack.Attack;
import dev.awp.attack.FabAttack;
import dev.awp.attack.FgsmAttack;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.SquareAttack;

/** Binds attack specifications from {@code awp-api} to their DJL implementations. */
public final class InputAttacks {

    private InputAttacks() {}

    /**
     * Returns the executable attack for a specification: {@link PgdAttack}, {@link FgsmAttack},
     * {@link ApgdAttack}, {@link FabAttack} and {@link SquareAttack} map to the built-in
     * implementations; an {@link InputAttack} (a custom attack) is returned as it is.
     *
     * @param attack the specification
     * @return the executable attack
     * @throws IllegalArgumentException if the attack is neither built in nor an {@link InputAttack}
     */
    public static InputAttack bind(Attack attack) {
        requireNonNull(attack, "attack");
        if (attack instanceof InputAttack) {
            return (InputAttack) attack;
        }
        if (attack instanceof PgdAttack) {
            return new PgdAttacker((PgdAttack) attack);
        }
        if (attack instanceof ApgdAttack) {
            return new ApgdAttacker((ApgdAttack) attack);
        }
        if (attack instanceof FabAttack) {
            return new FabAttacker((FabAttack) attack);
        }
        if (attack instanceof SquareAttack) {
            return new SquareAttacker((SquareAttack) attack);
        }
        if (attack instanceof FgsmAttack) {
            FgsmAttack fgsm = (FgsmAttack) attack;
            return new PgdAttacker(
                    PgdAttack.builder()
                            .threatModel(fgsm.threatModel())
                            .steps(1)
                            .stepSize(fgsm.stepSize())
                            .randomStart(fgsm.randomStart())
                            .batchNormMode(fgsm.batchNormMode())
                            .name(fgsm.name())
                            .build());
        }
        throw new IllegalArgumentException(
                "attack must be a PgdAttack, an FgsmAttack, an ApgdAttack, a FabAttack, a"
                        + " SquareAttack or implement "
                        + InputAttack.class.getName()
                        + " but was "
                        + attack.getClass().getName());
    }
}
