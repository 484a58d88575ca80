package dev.awp.report;

/**
 * Which examples each attack of a robustness evaluation runs on, and so what its own accuracy
 * means. Either way, an example counts as robust only if it is classified correctly at the clean
 * input and under every attack (the cumulative worst case), and an example misclassified at the
 * clean input is never attacked.
 */
public enum AttackAccounting {
    /**
     * As AutoAttack: each attack runs only on the examples that survived the clean check and every
     * earlier attack. The cheapest way to the worst case (the strong, expensive attacks run last,
     * on few examples), but an attack's own accuracy on all examples is not measured: {@link
     * AttackResult#ownAccuracy()} is empty and {@link AttackResult#accuracyOnAttacked()} is the
     * accuracy among the survivors the attack ran on.
     */
    CASCADE,
    /**
     * Each attack runs on every example classified correctly at the clean input, so that {@link
     * AttackResult#ownAccuracy()} is the attack's own robust accuracy on all examples, comparable
     * with published single-attack numbers (such as PGD-20). Costs the sum of all attacks on all
     * correctly classified examples.
     */
    INDEPENDENT
}
