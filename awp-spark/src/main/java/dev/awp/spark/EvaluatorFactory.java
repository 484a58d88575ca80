package dev.awp.spark;

import dev.awp.djl.evaluation.RobustnessEvaluator;
import java.io.Serializable;

/**
 * Builds the {@link RobustnessEvaluator} on the driver and on every executor: a serializable
 * function, so that its attacks, seed, batch size and accounting travel with the job (an evaluator
 * itself is not serializable). It must give the same evaluator every time; turn its progress off
 * ({@link RobustnessEvaluator.Builder#optNoProgress()}) unless executor logs should show bars.
 *
 * <pre>{@code
 * EvaluatorFactory evaluator = () -> RobustnessEvaluator.builder()
 *         .optAttacks(Attacks.autoAttack(ThreatModel.linf(0.1)))
 *         .optBatchSize(100)
 *         .optNoProgress()
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface EvaluatorFactory extends Serializable {

    /**
     * Builds the evaluator.
     *
     * @return a new evaluator, the same settings every time
     */
    RobustnessEvaluator create();
}
