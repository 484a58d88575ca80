package dev.awp.perturbation;

/**
 * Where the weight gradient {@code g} that gives {@code v_l = γ‖w_l‖ g_l / (‖g_l‖ + 1e-20)} comes
 * from.
 */
public enum PerturbationDirection {
    /**
     * The paper's AWP (spec §2, step 2): one extra forward and backward of the training objective
     * at {@code w} on the final {@code x'}, in training mode, without changing the BatchNorm
     * running statistics. The default.
     */
    EXACT,
    /**
     * An approximation that costs no extra pass: the weight gradient of the attack's last
     * iteration, which the attack computes anyway for its input gradient (the weights' gradients
     * are switched on for that one backward). It differs from {@link #EXACT} in three ways: the
     * point is the attack's last-but-one iterate (one attack step before the final {@code x'}), the
     * loss is the attack's (the same cross-entropy for PGD-AT; for TRADES and MART not the
     * objective), and the forward runs in the attack's BatchNorm mode. Requires a PGD attack
     * specification and one ascent step; how close it comes to {@link #EXACT} is measured, not
     * guaranteed: see the documentation's "AWP without the extra pass" page.
     */
    LAST_ATTACK_STEP
}
