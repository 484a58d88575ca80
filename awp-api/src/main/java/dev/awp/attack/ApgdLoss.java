package dev.awp.attack;

/**
 * The loss an {@link ApgdAttack} ascends (Croce and Hein, 2020, <a
 * href="https://arxiv.org/abs/2003.01690">arXiv:2003.01690</a>). With logits {@code z}, label
 * {@code y} and {@code π} the classes sorted by decreasing logit:
 *
 * <ul>
 *   <li>{@link #CROSS_ENTROPY}: {@code −log softmax(z)_y} (APGD-CE);
 *   <li>{@link #DLR}: the difference of logits ratio {@code −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 +
 *       10⁻¹²)} (APGD-DLR), invariant to shifts and rescaling of the logits; needs at least 3
 *       classes. In a targeted attack ({@link ApgdAttack#targeted()}) it becomes the targeted DLR
 *       loss {@code −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 10⁻¹²)} (APGD-T), which needs at least
 *       4 classes.
 * </ul>
 */
public enum ApgdLoss {
    /** Cross-entropy, per example. */
    CROSS_ENTROPY,
    /** The difference of logits ratio; targeted when the attack is. */
    DLR
}
