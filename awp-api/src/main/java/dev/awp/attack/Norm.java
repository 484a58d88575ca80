package dev.awp.attack;

/** The norm that measures the size of an input perturbation. */
public enum Norm {
    /** The L∞ (max-abs) norm: every input component moves by at most ε. */
    LINF,
    /** The L2 (Euclidean) norm of the whole perturbation of one example. */
    L2
}
