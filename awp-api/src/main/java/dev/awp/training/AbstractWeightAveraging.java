package dev.awp.training;

import dev.awp.internal.Checks;
import java.util.Locale;
import org.immutables.value.Value;

/**
 * An average of the weights kept beside the raw weights during training, and evaluated and exported
 * instead of them: an exponential moving average ({@link AveragingKind#EMA}) or stochastic weight
 * averaging ({@link AveragingKind#SWA}).
 *
 * <pre>{@code
 * WeightAveraging ema = WeightAveraging.ema(0.999);     // every step, decay warming up to 0.999
 * WeightAveraging swa = WeightAveraging.swa(150);       // mean of the weights from epoch 150 on
 * WeightAveraging off = WeightAveraging.none();         // the raw weights (the default)
 * }</pre>
 *
 * <p><b>What is averaged.</b> After every optimizer step, from the weights {@code w} the step
 * leaves — with AWP, the restored {@code w}, never {@code w + v} — each trainable parameter's
 * average becomes {@code a ← κ·a + (1 − κ)·w}, with {@code κ} given by {@link #keep}: for step
 * {@code s} (0-based, counted over the run: {@code s = epoch·batchesPerEpoch + iteration}),
 *
 * <ul>
 *   <li>EMA: {@code κ = 0} while {@code s < warmupSteps} (the average follows {@code w}), then
 *       {@code κ = min(decay, (1 + d)/(10 + d))} with {@code d = s − warmupSteps}: the decay warms
 *       up as in TensorFlow's {@code ExponentialMovingAverage(num_updates)} and in the {@code
 *       ema_update(.., dynamic_decay=True)} of the public code of Rade and Moosavi-Dezfooli (2022)
 *       and Wang et al. (2023);
 *   <li>SWA: {@code κ = 0} before {@link #startEpoch()}, then {@code κ = n/(n + 1)} for the {@code
 *       n}-th step since (0-based), so that {@code a} is the arithmetic mean of the weights after
 *       every step from the start epoch on (Izmailov et al., 2018, averaged per step).
 * </ul>
 *
 * <p><b>BatchNorm.</b> Running statistics are never averaged.
 *
 * <ul>
 *   <li>EMA: the averaged model uses the raw model's current running mean and variance, as the EMA
 *       code above does (it copies the buffers of the raw model into the averaged one).
 *   <li>SWA: from the start epoch on, every time the averaged model is evaluated, checkpointed or
 *       exported, its running statistics are recomputed by one pass over the training batches of
 *       the current epoch (with the run's augmentation), BatchNorm in training mode and no
 *       gradient, each running mean and variance set to the average of the batch statistics, every
 *       batch counting once — what {@code torch.optim.swa_utils.update_bn(train_loader, model)}
 *       does (momentum {@code None}, a cumulative average), as Izmailov et al. (2018) prescribe.
 *       The raw model keeps its own statistics. This costs one forward pass over the training data
 *       per evaluation. Before the start epoch the average is the weights themselves and uses the
 *       raw model's statistics.
 * </ul>
 */
@Value.Immutable
abstract class AbstractWeightAveraging {

    /**
     * The kind of average.
     *
     * @return the kind; default {@link AveragingKind#NONE}
     */
    @Value.Default
    public AveragingKind kind() {
        return AveragingKind.NONE;
    }

    /**
     * EMA's decay: the largest {@code κ}. Ignored by the other kinds.
     *
     * @return the decay, in {@code [0, 1)}; default 0.999
     */
    @Value.Default
    public double decay() {
        return 0.999;
    }

    /**
     * EMA's warm-up: the number of steps (counted over the run) during which the average equals the
     * weights, before the decay starts warming up. Ignored by the other kinds.
     *
     * @return the warm-up, at least 0; default 0
     */
    @Value.Default
    public int warmupSteps() {
        return 0;
    }

    /**
     * SWA's first averaged epoch (0-based). Ignored by the other kinds.
     *
     * @return the epoch, at least 0; default 0
     */
    @Value.Default
    public int startEpoch() {
        return 0;
    }

    /**
     * Whether there is an average, i.e. the kind is not {@link AveragingKind#NONE}.
     *
     * @return true for EMA and SWA
     */
    public final boolean isActive() {
        return kind() != AveragingKind.NONE;
    }

    /**
     * The weight {@code κ} of the old average in the update {@code a ← κ·a + (1 − κ)·w} after a
     * step; see the class documentation.
     *
     * @param epoch the step's 0-based epoch
     * @param iteration the step's 0-based index in the epoch
     * @param batchesPerEpoch the number of steps per epoch
     * @return {@code κ}, in {@code [0, 1)}; 0 for {@link AveragingKind#NONE}
     * @throws IllegalArgumentException if an argument is negative, {@code batchesPerEpoch} is 0 or
     *     {@code iteration >= batchesPerEpoch}
     */
    public final double keep(int epoch, int iteration, int batchesPerEpoch) {
        Checks.atLeast("epoch", epoch, 0);
        Checks.atLeast("batchesPerEpoch", batchesPerEpoch, 1);
        Checks.atLeast("iteration", iteration, 0);
        if (iteration >= batchesPerEpoch) {
            throw new IllegalArgumentException(
                    "iteration must be < batchesPerEpoch ("
                            + batchesPerEpoch
                            + ") but was "
                            + iteration);
        }
        switch (kind()) {
            case EMA:
                long step = (long) epoch * batchesPerEpoch + iteration;
                if (step < warmupSteps()) {
                    return 0;
                }
                double d = step - warmupSteps();
                return Math.min(decay(), (1 + d) / (10 + d));
            case SWA:
                if (epoch < startEpoch()) {
                    return 0;
                }
                double n = (double) (epoch - startEpoch()) * batchesPerEpoch + iteration;
                return n / (n + 1);
            default:
                return 0;
        }
    }

    /**
     * A one-line description for logs and reports.
     *
     * @return e.g. {@code "EMA, decay 0.999 warming up as min(decay, (1+d)/(10+d)) after 0 steps;
     *     BatchNorm statistics from the raw model"}; SWA's ends {@code "BatchNorm statistics
     *     recomputed over the training data"}
     */
    public final String describe() {
        switch (kind()) {
            case EMA:
                return String.format(
                        Locale.ROOT,
                        "EMA, decay %s warming up as min(decay, (1+d)/(10+d)) after %d steps;"
                                + " BatchNorm statistics from the raw model",
                        decay(),
                        warmupSteps());
            case SWA:
                return String.format(
                        Locale.ROOT,
                        "SWA, mean of the weights after every step from epoch %d (1-based);"
                                + " BatchNorm statistics recomputed over the training data",
                        startEpoch() + 1);
            default:
                return "none";
        }
    }

    @Value.Check
    void check() {
        Checks.atLeastZeroBelowOne("decay", decay());
        Checks.atLeast("warmupSteps", warmupSteps(), 0);
        Checks.atLeast("startEpoch", startEpoch(), 0);
    }

    /**
     * No averaging: the raw weights are evaluated and exported.
     *
     * @return the averaging of kind {@link AveragingKind#NONE}
     */
    public static WeightAveraging none() {
        return WeightAveraging.builder().build();
    }

    /**
     * An exponential moving average with the given decay, warming up from the first step.
     *
     * @param decay the largest {@code κ}, in {@code [0, 1)}, e.g. 0.999
     * @return the averaging
     * @throws IllegalArgumentException if {@code decay} is not in {@code [0, 1)}
     */
    public static WeightAveraging ema(double decay) {
        return WeightAveraging.builder().kind(AveragingKind.EMA).decay(decay).build();
    }

    /**
     * Stochastic weight averaging from an epoch on.
     *
     * @param startEpoch the first averaged epoch, 0-based
     * @return the averaging
     * @throws IllegalArgumentException if {@code startEpoch} is negative
     */
    public static WeightAveraging swa(int startEpoch) {
        return WeightAveraging.builder().kind(AveragingKind.SWA).startEpoch(startEpoch).build();
    }
}
