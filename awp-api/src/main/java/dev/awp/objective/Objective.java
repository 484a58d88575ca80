package dev.awp.objective;

/**
 * An adversarial training objective: the loss minimized at each step, given the clean batch, its
 * adversarial counterpart and the labels. Open for custom objectives.
 */
public interface Objective {

    /**
     * A short name used in logs and reports, e.g. {@code "TRADES(beta=6.0)"}.
     *
     * @return the name
     */
    String name();

    /**
     * Whether the loss reads the clean inputs as well as the adversarial ones. When false, a clean
     * forward pass is only made for logging.
     *
     * @return true for TRADES and MART
     */
    boolean usesCleanInputs();
}
