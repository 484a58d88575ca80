package dev.awp.attack;

/**
 * How BatchNorm layers (and other layers that behave differently in training) run while an attack
 * queries the model.
 */
public enum BatchNormMode {
    /**
     * Inference mode: running statistics are used and left unchanged. What ART, torchattacks and
     * the TRADES/MART reference code do.
     */
    EVAL,
    /**
     * Training mode: batch statistics are used, and, as in the AWP reference code for PGD-AT, every
     * attack forward also updates the running statistics.
     */
    TRAIN
}
