package example;

import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.perturbation.WeightPerturbation;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/** Uses awp-api and awp-djl types from a named module. */
public final class ModuleConsumer {
    private ModuleConsumer() {}

    /** @return an AWP optimizer, built on the module path */
    public static AwpOptimizer optimizer() {
        return AwpOptimizer.wrap(
                Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build(),
                WeightPerturbation.of(0.01));
    }
}
