package dev.awp.djl.training;

import static java.util.Objects.requireNonNull;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import dev.awp.training.OptimizerSpec;

/**
 * The DJL optimizer that {@link AdversarialTrainer} builds from an {@link OptimizerSpec}, for your
 * own training loop: wrap it with {@link dev.awp.djl.perturbation.AwpOptimizer#wrap} as you would
 * DJL's {@code Optimizer.sgd()}.
 *
 * <p>Why not DJL's {@code Optimizer.sgd()}: DJL's native update keeps the learning rate inside the
 * momentum buffer ({@code v ← μv + η(g + λw)}, {@code w ← w − v}), while {@code torch.optim.SGD},
 * and so the official AWP scripts, do {@code b ← μb + (g + λw)}, {@code w ← w − η·b}. The two agree
 * while η is constant and differ at every change of η: after a ×0.1 drop DJL's rule keeps moving
 * with the old rate's buffer, so the drop acts about μ/(1 − μ) = 9 iterations late (the first
 * update after it is 7–9× PyTorch's in a fixture test). With a constant rate ({@code
 * Tracker.fixed}) either is fine; with any schedule, use this one to train as PyTorch does.
 *
 * <pre>{@code
 * Optimizer sgd = SpecOptimizers.of(OptimizerSpec.sgd(0.1, 0.9, 5e-4), myLearningRateTracker);
 * AwpOptimizer awp = AwpOptimizer.wrap(sgd, WeightPerturbation.of(0.01));
 * }</pre>
 *
 * <p>The returned optimizers also save and restore their state (momentum buffers, Adam's moments,
 * step counts) in the trainer's checkpoints. One device per model; not thread-safe.
 */
public final class SpecOptimizers {

    private SpecOptimizers() {}

    /**
     * The optimizer of a specification: SGD with {@code torch.optim.SGD}'s rule (dampening 0, no
     * Nesterov), Adam or AdamW, with the specification's hyper-parameters; the learning rate of
     * each step comes from {@code learningRate} (the specification's {@link
     * OptimizerSpec#learningRate()} is not used: put it into the tracker).
     *
     * @param spec the optimizer's specification
     * @param learningRate the learning rate of each update, e.g. DJL's {@code Tracker.fixed(0.1f)}
     *     or a multi-step tracker
     * @return a new optimizer
     * @throws NullPointerException if an argument is null
     */
    public static Optimizer of(OptimizerSpec spec, ParameterTracker learningRate) {
        return Optimizers.create(
                requireNonNull(spec, "spec"), requireNonNull(learningRate, "learningRate"));
    }
}
