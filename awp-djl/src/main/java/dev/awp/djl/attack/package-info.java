/**
 * Input attacks on DJL models.
 *
 * <p>{@link dev.awp.djl.attack.InputAttacks#bind(dev.awp.attack.Attack)} turns an attack
 * specification from {@code awp-api} into an executable {@link dev.awp.djl.attack.InputAttack}.
 * Every built-in attack is written on the template {@link dev.awp.djl.attack.AbstractInputAttack}:
 * its {@code generate} checks and scopes the batch once and hands an {@link
 * dev.awp.djl.attack.AttackBatch} (inputs, checked labels, clean logits, the ε-ball {@link
 * dev.awp.djl.attack.Projection}, input gradients) to the attack's {@code craft}. A custom attack
 * extends the same template, or implements {@link dev.awp.djl.attack.InputAttack} directly. Adding
 * a built-in attack touches its specification, its attacker and one line of {@code
 * InputAttacks.bind}. Attacks query the model through an {@link dev.awp.djl.attack.AttackTarget}
 * and compute gradients with respect to the input only: the weights' {@code requires_grad} flags
 * are switched off for the duration of an attack, so no weight gradient is computed or accumulated.
 */
package dev.awp.djl.attack;
