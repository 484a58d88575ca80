package dev.awp.djl.training;

/**
 * The seeds of a run, all derived from the specification's one seed: the engine's random-number
 * generator is re-seeded before every training batch from {@code (seed, epoch, iteration)} and
 * before every evaluation batch from {@code (seed, batch)}, so random starts and restarts depend on
 * the position in the run only, which makes runs reproducible and resumable without saving the
 * generator's state. Mixing is SplitMix64's finalizer.
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

    /** The engine seed for one evaluation batch, the same at every evaluation. */
    static int evaluation(long seed, int split, int batch) {
        return toInt(mix(mix(mix(seed, EVALUATION), split), batch));
    }

    private static long mix(long state, long value) {
        long z = state ^ (value + 0x9e3779b97f4a7c15L);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int toInt(long value) {
        return (int) (value ^ (value >>> 32));
    }
}
