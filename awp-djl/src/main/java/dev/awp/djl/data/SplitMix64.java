package dev.awp.djl.data;

import dev.awp.djl.internal.Seeds;

/**
 * Steele, Lea and Flood's SplitMix64 generator: a 64-bit counter passed through a fixed mixing
 * function. Written out here (rather than {@link java.util.SplittableRandom}) so that every
 * sequence the data package draws is fixed by this file alone, on every JVM and version.
 */
final class SplitMix64 {

    /** The odd constant ⌊2⁶⁴/φ⌋ added to the state at every draw. */
    private static final long GOLDEN_GAMMA = Seeds.GOLDEN_GAMMA;

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /**
     * A generator for one purpose, seeded from a user seed and a path of keys (for example an epoch
     * and a batch index), independent of the generators of other paths.
     */
    static SplitMix64 derive(long seed, long... keys) {
        long h = mix64(seed + GOLDEN_GAMMA);
        for (long key : keys) {
            h = mix64(h ^ mix64(key + GOLDEN_GAMMA));
        }
        return new SplitMix64(h);
    }

    /** Stafford's variant 13 of the MurmurHash3 finalizer, as in SplitMix64. */
    static long mix64(long z) {
        return Seeds.mix64(z);
    }

    long nextLong() {
        state += GOLDEN_GAMMA;
        return mix64(state);
    }

    /** A uniform integer in [0, bound), without modulo bias. */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0 but was " + bound);
        }
        int bits;
        int value;
        do {
            bits = (int) (nextLong() >>> 33);
            value = bits % bound;
        } while (bits - value + (bound - 1) < 0);
        return value;
    }

    /** A uniform double in [0, 1), with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** A uniform double in [low, high). */
    double uniform(double low, double high) {
        return low + (high - low) * nextDouble();
    }

    boolean nextBoolean() {
        return nextLong() < 0;
    }

    /** Fisher–Yates shuffle of the whole array. */
    void shuffle(int[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int tmp = values[i];
            values[i] = values[j];
            values[j] = tmp;
        }
    }
}
