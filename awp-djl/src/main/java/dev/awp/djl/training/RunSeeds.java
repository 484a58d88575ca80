package dev.awp.djl.training;

import dev.awp.djl.internal.Seeds;

/**
 * The seeds of a run, all derived from the specification's one seed: the engine's random-number
 * generator is re-seeded before every training batch from {@code (seed, epoch, iteration)}, and the
 * evaluations' {@link dev.awp.djl.evaluation.RobustnessEvaluator}s get a seed per split from {@code
 * (seed, split)} (they re-seed the engine before every attack on every batch from it), so random
 * starts and restarts depend on the position in the run only, which makes runs reproducible and
 * resumable without saving the generator's state. Mixing is SplitMix64's finalizer.
 */
final class RunSeeds {

    private static final long INITIALIZATION = 0x696e6974L;
    private static final long TRAINING = 0x747261696eL;
    private static final long EVALUATION = 0x6576616cL;

    private RunSeeds() {}

    /** The engine seed for the weight initialization. */
    static int initialization(long seed) {
        return toInt(mix(seed, INITIALIZATION));
    }

    /** The engine seed for one training batch. */
    static int training(long seed, int epoch, int iteration) {
        return toInt(mix(mix(mix(seed, TRAINING), epoch), iteration));
    }

    /** The evaluator's seed for one split, the same at every evaluation. */
    static long evaluation(long seed, int split) {
        return mix(mix(seed, EVALUATION), split);
    }

    private static long mix(long state, long value) {
        return Seeds.mix64(state ^ (value + Seeds.GOLDEN_GAMMA));
    }

    private static int toInt(long value) {
        return Seeds.toInt(value);
    }
}
