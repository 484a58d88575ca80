package example;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.djl.NativeAllocator;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.perturbation.WeightPerturbation;

/** Uses awp-api and awp-djl types from a named module. */
public final class ModuleConsumer {
    private ModuleConsumer() {}

    /** @return an AWP optimizer, built on the module path */
    public static AwpOptimizer optimizer() {
        return AwpOptimizer.wrap(
                Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build(),
                WeightPerturbation.of(0.01));
    }

    /**
     * Run on the module path by verify.groovy: awp's classes load and link there (JNA included),
     * and the module graph keeps the internal packages to awp.
     *
     * @param args none
     */
    public static void main(String[] args) {
        System.out.println("optimizer: " + optimizer().getClass().getName());
        System.out.println("mallopt: " + NativeAllocator.retainFreedMemory());
        Module djl = AwpOptimizer.class.getModule();
        Module api = WeightPerturbation.class.getModule();
        Module self = ModuleConsumer.class.getModule();
        System.out.println("modules: " + djl.getName() + " " + api.getName() + " " + self.getName());
        System.out.println("djl.internal exported: " + djl.isExported("dev.awp.djl.internal"));
        System.out.println("api.internal exported to consumer: " + api.isExported("dev.awp.internal", self));
        System.out.println("api.internal exported to djl: " + api.isExported("dev.awp.internal", djl));
    }
}
