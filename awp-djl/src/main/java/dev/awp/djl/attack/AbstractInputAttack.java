package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.awp.djl.internal.GradientSuspension;
import dev.awp.djl.internal.Scopes;

/**
 * The template of an {@link InputAttack}: {@link #generate} does what every attack must do around
 * its own search, once, and hands the prepared batch to {@link #craft(AttackBatch)}.
 *
 * <p>{@code generate} checks its arguments, switches the weights' gradients off for the whole
 * attack, opens a scope for temporaries (closed when the attack returns), binds the threat model's
 * input domain to the batch, checks the batch (inputs finite and inside the domain, labels class
 * indices) and attaches the result of {@code craft} to the caller's manager. The batch gives the
 * clean logits on demand (checked against the labels), the ε-ball projection and input gradients.
 * The built-in PGD, APGD, FAB and Square attacks are written on it.
 *
 * <pre>{@code
 * protected NDArray craft(AttackBatch batch) {
 *     NDArray adv = batch.x().duplicate();
 *     for (int step = 0; step < steps; step++) {
 *         NDArray gradient = batch.gradient(adv, logits -> Losses.crossEntropy(logits, batch.labels()));
 *         adv = batch.ball().project(adv.add(gradient.sign().mul(stepSize)));
 *     }
 *     return adv;
 * }
 * }</pre>
 */
public abstract class AbstractInputAttack implements InputAttack {

    /** For subclasses. */
    protected AbstractInputAttack() {}

    /**
     * Crafts adversarial examples: runs the prologue described in the class documentation, then
     * {@link #craft(AttackBatch)}.
     *
     * @param target the model under attack
     * @param x the clean inputs, shape {@code (B, ...)}, inside the threat model's bounds; not
     *     modified
     * @param y the labels, shape {@code (B)} or {@code (B, 1)}, class indices
     * @return the adversarial inputs, attached to {@code x}'s manager (the caller owns them)
     * @throws IllegalArgumentException if {@code x} leaves the threat model's input domain or the
     *     labels are not class indices of the model's outputs
     */
    @Override
    public final NDArray generate(AttackTarget target, NDArray x, NDArray y) {
        return generate(target, x, y, ExampleKeys.fromEngine());
    }

    /**
     * Crafts adversarial examples with the random draws {@code keys} gives ({@link
     * AttackBatch#random(int)}, {@link AttackBatch#uniform}, {@link AttackBatch#normal}): runs the
     * prologue described in the class documentation, then {@link #craft(AttackBatch)}.
     *
     * @param target the model under attack
     * @param x the clean inputs, shape {@code (B, ...)}, inside the threat model's bounds; not
     *     modified
     * @param y the labels, shape {@code (B)} or {@code (B, 1)}, class indices
     * @param keys where the random draws come from
     * @return the adversarial inputs, attached to {@code x}'s manager (the caller owns them)
     * @throws IllegalArgumentException if {@code x} leaves the threat model's input domain, the
     *     labels are not class indices of the model's outputs, or {@code keys} has another number
     *     of examples
     */
    @Override
    public final NDArray generate(AttackTarget target, NDArray x, NDArray y, ExampleKeys keys) {
        requireNonNull(target, "target");
        requireNonNull(x, "x");
        requireNonNull(y, "y");
        requireNonNull(keys, "keys");
        checkInputs(x);
        NDManager owner = x.getManager();
        try (GradientSuspension off = GradientSuspension.suspend(target.trainableArrays());
                NDManager scope = owner.newSubManager(x.getDevice())) {
            Scopes.borrow(scope, x, y);
            NDArray adversarial = craft(new AttackBatch(this, target, x, y, keys, scope));
            adversarial.attach(owner);
            return adversarial;
        }
    }

    /**
     * Rejects inputs the attack cannot run on (say, not images), before anything else runs; the
     * default accepts every shape.
     *
     * @param x the clean inputs
     * @throws IllegalArgumentException if the attack cannot run on them
     */
    protected void checkInputs(NDArray x) {}

    /**
     * The attack itself, on one checked batch. Arrays computed from the batch's arrays land in its
     * {@link AttackBatch#scope() scope} and are freed after the attack; return the adversarial
     * inputs (same shape and data type as {@link AttackBatch#x()}, inside {@link
     * AttackBatch#ball()}) and the template hands them to the caller.
     *
     * @param batch the clean inputs, labels, model and threat model of this call
     * @return the adversarial inputs
     */
    protected abstract NDArray craft(AttackBatch batch);
}
