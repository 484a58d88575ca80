/**
 * Input attacks on DJL models.
 *
 * <p>{@link dev.awp.djl.attack.InputAttacks#bind(dev.awp.attack.Attack)} turns an attack
 * specification from {@code awp-api} into an executable {@link dev.awp.djl.attack.InputAttack}; a
 * custom attack implements {@link dev.awp.djl.attack.InputAttack} directly, usually on top of
 * {@link dev.awp.djl.attack.InputGradients}, the same helper the built-in attacks use. Attacks
 * query the model through an {@link dev.awp.djl.attack.AttackTarget} and compute gradients with
 * respect to the input only: the weights' {@code requires_grad} flags are switched off for the
 * duration of an attack, so no weight gradient is computed or accumulated.
 */
package dev.awp.djl.attack;
