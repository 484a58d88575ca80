package dev.awp.djl.attack;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.djl.internal.Seeds;

/**
 * The host-side random stream of the search attacks (Square's windows and signs, FAB's random
 * restarts): SplitMix64, seeded with one draw from the engine's generator so that {@code
 * Engine.setRandomSeed} (which the evaluator calls per batch and attack) fixes it. Written out so
 * that every sequence is fixed by this file alone.
 */
final class SearchRandom {

    private long state;

    SearchRandom(long seed) {
        this.state = seed;
    }

    /** A stream seeded from the engine's generator (two draws of 31 bits). */
    static SearchRandom fromEngine(NDManager manager) {
        try (NDManager local = manager.newSubManager()) {
            long[] draws =
                    local.randomInteger(0, Integer.MAX_VALUE, new Shape(2), DataType.INT64)
                            .toLongArray();
            return new SearchRandom((draws[0] << 31) ^ draws[1]);
        }
    }

    long nextLong() {
        state += Seeds.GOLDEN_GAMMA;
        return Seeds.mix64(state);
    }

    /** Uniform in {@code [0, bound)}; {@code bound >= 1}. */
    int nextInt(int bound) {
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }

    /** −1 or +1 with equal probability. */
    float nextSign() {
        return nextLong() < 0 ? -1f : 1f;
    }

    boolean nextBoolean() {
        return nextLong() < 0;
    }

    /** Uniform in {@code [0, 1)}, 53 bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Box–Muller, one of the pair). */
    double nextGaussian() {
        double u = 1 - nextDouble();
        double v = nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
