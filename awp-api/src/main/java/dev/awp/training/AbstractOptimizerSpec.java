package dev.awp.training;

import dev.awp.internal.Checks;
import java.util.Locale;
import org.immutables.value.Value;

/**
 * The optimizer that updates the weights, described independently of any engine: its {@link #kind()
 * kind}, its base learning rate (scaled at every iteration by the {@link LearningRateSchedule}) and
 * its hyper-parameters. Attributes that do not apply to the kind are ignored: {@link #momentum()}
 * by Adam and AdamW, {@link #beta1()}, {@link #beta2()} and {@link #epsilon()} by SGD.
 *
 * <pre>{@code
 * OptimizerSpec reference = OptimizerSpec.sgd(0.1, 0.9, 5e-4);   // every AWP recipe
 * OptimizerSpec adamW = OptimizerSpec.adamW(1e-3, 0.01);
 * }</pre>
 *
 * <p>Weight decay applies to every parameter, as in the AWP reference code.
 */
@Value.Immutable
abstract class AbstractOptimizerSpec {

    /**
     * The optimizer.
     *
     * @return the kind
     */
    public abstract OptimizerKind kind();

    /**
     * The base learning rate η, before the schedule scales it.
     *
     * @return η, finite and positive
     */
    public abstract double learningRate();

    /**
     * The momentum μ of SGD ({@code b ← μ·b + g}); ignored by Adam and AdamW.
     *
     * @return μ, in [0, 1); default 0.9
     */
    @Value.Default
    public double momentum() {
        return 0.9;
    }

    /**
     * The weight decay λ: an L2 term {@code λ·w} added to the gradient for SGD and Adam, a
     * decoupled decay {@code w ← w − η·λ·w} for AdamW.
     *
     * @return λ, finite and non-negative; default 5e-4
     */
    @Value.Default
    public double weightDecay() {
        return 5e-4;
    }

    /**
     * The decay rate β1 of Adam's first-moment estimate; ignored by SGD.
     *
     * @return β1, in [0, 1); default 0.9
     */
    @Value.Default
    public double beta1() {
        return 0.9;
    }

    /**
     * The decay rate β2 of Adam's second-moment estimate; ignored by SGD.
     *
     * @return β2, in [0, 1); default 0.999
     */
    @Value.Default
    public double beta2() {
        return 0.999;
    }

    /**
     * The term ε added to the denominator of Adam's update for numerical stability; ignored by SGD.
     *
     * @return ε, finite and positive; default 1e-8
     */
    @Value.Default
    public double epsilon() {
        return 1e-8;
    }

    /**
     * A one-line description for logs and reports, naming the update rule: e.g. {@code "SGD
     * (torch.optim.SGD's rule: b ← μb + g + λw, w ← w − ηb), lr 0.1, momentum 0.9, weight decay
     * 5.0E-4"}.
     *
     * @return the description
     */
    public String describe() {
        switch (kind()) {
            case SGD:
                return String.format(
                        Locale.ROOT,
                        "SGD (torch.optim.SGD's rule: b ← μb + g + λw, w ← w − ηb), lr %s,"
                                + " momentum %s, weight decay %s",
                        learningRate(),
                        momentum(),
                        weightDecay());
            default:
                return String.format(
                        Locale.ROOT,
                        "%s, lr %s, betas (%s, %s), epsilon %s, weight decay %s",
                        kind() == OptimizerKind.ADAMW ? "AdamW" : "Adam",
                        learningRate(),
                        beta1(),
                        beta2(),
                        epsilon(),
                        weightDecay());
        }
    }

    @Value.Check
    void check() {
        Checks.positive("learningRate", learningRate());
        Checks.atLeastZeroBelowOne("momentum", momentum());
        Checks.nonNegative("weightDecay", weightDecay());
        Checks.atLeastZeroBelowOne("beta1", beta1());
        Checks.atLeastZeroBelowOne("beta2", beta2());
        Checks.positive("epsilon", epsilon());
    }

    /**
     * SGD with momentum and weight decay; the AWP recipes use {@code sgd(0.1, 0.9, 5e-4)}.
     *
     * @param learningRate the base learning rate η, finite and positive
     * @param momentum the momentum μ, in [0, 1)
     * @param weightDecay the weight decay λ, finite and non-negative
     * @return the specification
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static OptimizerSpec sgd(double learningRate, double momentum, double weightDecay) {
        return OptimizerSpec.builder()
                .kind(OptimizerKind.SGD)
                .learningRate(learningRate)
                .momentum(momentum)
                .weightDecay(weightDecay)
                .build();
    }

    /**
     * Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8 and <em>no</em> weight decay (the default of {@code
     * torch.optim.Adam} and of DJL's Adam); add it with {@code withWeightDecay(..)}.
     *
     * @param learningRate the base learning rate η, finite and positive
     * @return the specification
     * @throws IllegalArgumentException if the learning rate is not finite and positive
     */
    public static OptimizerSpec adam(double learningRate) {
        return OptimizerSpec.builder()
                .kind(OptimizerKind.ADAM)
                .learningRate(learningRate)
                .weightDecay(0)
                .build();
    }

    /**
     * AdamW with β1 = 0.9, β2 = 0.999, ε = 1e-8 and decoupled weight decay.
     *
     * @param learningRate the base learning rate η, finite and positive
     * @param weightDecay the decoupled weight decay λ, finite and non-negative
     * @return the specification
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static OptimizerSpec adamW(double learningRate, double weightDecay) {
        return OptimizerSpec.builder()
                .kind(OptimizerKind.ADAMW)
                .learningRate(learningRate)
                .weightDecay(weightDecay)
                .build();
    }
}
