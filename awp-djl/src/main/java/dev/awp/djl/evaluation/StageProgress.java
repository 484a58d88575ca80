package dev.awp.djl.evaluation;

import static dev.awp.djl.evaluation.RobustnessEvaluator.UNITS_PER_STAGE;

import dev.awp.attack.Attack;
import java.util.Locale;

/**
 * Progress inside one attack on one batch, for stages that run for minutes (Square's 5,000 queries,
 * FAB-T's 9 targets): at most once per {@code progressInterval}, the number of examples in the
 * latest forward pass (for Square, those still searched) and the queries so far; the position moves
 * through the stage's units by the share of the attack's {@link Attack#queryBudget() query budget}
 * spent, where the budget is known.
 */
final class StageProgress {
    private final RobustnessEvaluator evaluator;
    private final long step;
    private final String attack;
    private final double budget;
    private final int batch;
    private final int batches;
    private final int attacked;
    private long last = System.nanoTime();

    StageProgress(
            RobustnessEvaluator evaluator,
            long step,
            Attack attack,
            int batch,
            int batches,
            int attacked) {
        this.evaluator = evaluator;
        this.step = step;
        this.attack = attack.name();
        this.budget = attack.queryBudget().orElse(0);
        this.batch = batch;
        this.batches = batches;
        this.attacked = attacked;
    }

    /** A forward pass over {@code examples} examples, {@code queries} queries into the stage. */
    void pass(long examples, long queries) {
        long now = System.nanoTime();
        if (now - last < evaluator.progressIntervalNanos) {
            return;
        }
        last = now;
        double perExample = (double) queries / attacked;
        long within =
                budget > 0
                        ? Math.min(
                                UNITS_PER_STAGE - 1, (long) (UNITS_PER_STAGE * perExample / budget))
                        : 0;
        evaluator.progress.update(
                step * UNITS_PER_STAGE + within,
                String.format(
                        Locale.ROOT,
                        "%s, batch %d of %d: %d of %d examples in the last pass, queries so far:"
                                + " %.0f per example",
                        attack,
                        batch,
                        batches,
                        examples,
                        attacked,
                        perExample));
    }
}
