package dev.awp.objective;

/** Factories for the built-in objectives with the published defaults. */
public final class Objectives {
    private Objectives() {}

    /**
     * PGD-AT: mean cross-entropy on the adversarial inputs.
     *
     * @return the objective
     */
    public static PgdAtObjective pgdAt() {
        return PgdAtObjective.of();
    }

    /**
     * TRADES with β = 6.
     *
     * @return the objective
     */
    public static TradesObjective trades() {
        return TradesObjective.builder().build();
    }

    /**
     * TRADES with the given β.
     *
     * @param beta β, finite and non-negative
     * @return the objective
     * @throws IllegalArgumentException if β is negative or not finite
     */
    public static TradesObjective trades(double beta) {
        return TradesObjective.builder().beta(beta).build();
    }

    /**
     * MART with β = 6.
     *
     * @return the objective
     */
    public static MartObjective mart() {
        return MartObjective.builder().build();
    }

    /**
     * MART with the given β.
     *
     * @param beta β, finite and non-negative
     * @return the objective
     * @throws IllegalArgumentException if β is negative or not finite
     */
    public static MartObjective mart(double beta) {
        return MartObjective.builder().beta(beta).build();
    }
}
