package dev.awp.djl.internal;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * The one host-side random generator of awp-djl: Steele, Lea and Flood's SplitMix64, a 64-bit
 * counter passed through {@link Seeds#mix64}. The data package draws epoch orders, subsets,
 * augmentations and generated images from it; the search attacks (Square's windows and signs, FAB's
 * random restarts) draw from a stream seeded by the engine's generator ({@link #fromEngine}).
 * Written out (rather than {@link java.util.SplittableRandom}) so that every sequence is fixed by
 * this file alone, on every JVM and version.
 *
 * <p>Internal to awp; not part of the API.
 */
public final class SplitMix64 implements RandomGenerator {

    private long state;

    /**
     * A generator whose first draw is {@code mix64(seed + γ)}.
     *
     * @param seed the initial state
     */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /**
     * A generator for one purpose, seeded from a user seed and a path of keys (for example an epoch
     * and a batch index), independent of the generators of other paths.
     *
     * @param seed the user seed
     * @param keys the path
     * @return the generator
     */
    public static SplitMix64 derive(long seed, long... keys) {
        long h = Seeds.mix64(seed + Seeds.GOLDEN_GAMMA);
        for (long key : keys) {
            h = Seeds.mix64(h ^ Seeds.mix64(key + Seeds.GOLDEN_GAMMA));
        }
        return new SplitMix64(h);
    }

    /**
     * A stream seeded with two draws of 31 bits from the engine's generator, so that {@code
     * Engine.setRandomSeed} (which the evaluator calls per batch and attack) fixes it.
     *
     * @param manager a manager of the engine; the draws are freed at once
     * @return the generator
     */
    public static SplitMix64 fromEngine(NDManager manager) {
        try (NDManager local = manager.newSubManager()) {
            long[] draws =
                    local.randomInteger(0, Integer.MAX_VALUE, new Shape(2), DataType.INT64)
                            .toLongArray();
            return new SplitMix64((draws[0] << 31) ^ draws[1]);
        }
    }

    /**
     * The next 64 bits.
     *
     * @return the draw
     */
    @Override
    public long nextLong() {
        state += Seeds.GOLDEN_GAMMA;
        return Seeds.mix64(state);
    }

    /**
     * A uniform integer in {@code [0, bound)} without modulo bias: the top 31 bits of one draw,
     * rejected and drawn again in the biased tail. The data package's draw.
     *
     * @param bound the bound, at least 1
     * @return the integer
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
    @Override
    public int nextInt(int bound) {
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

    /**
     * An integer in {@code [0, bound)}: the unsigned remainder of one 64-bit draw (bias below
     * {@code bound / 2⁶⁴}). The search attacks' draw, kept so that their sequences stay the same.
     *
     * @param bound the bound, at least 1
     * @return the integer
     */
    public int nextIntByRemainder(int bound) {
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }

    /**
     * A uniform double in {@code [0, 1)}, with 53 random bits.
     *
     * @return the draw
     */
    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * A uniform double in {@code [low, high)}.
     *
     * @param low the lower end
     * @param high the upper end
     * @return the draw
     */
    public double uniform(double low, double high) {
        return low + (high - low) * nextDouble();
    }

    /**
     * A fair coin: the sign bit of one draw.
     *
     * @return the draw
     */
    @Override
    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    /**
     * −1 or +1 with equal probability (the sign bit of one draw).
     *
     * @return the sign
     */
    public float nextSign() {
        return nextLong() < 0 ? -1f : 1f;
    }

    /**
     * A standard normal draw (Box–Muller, one of the pair; two uniform draws).
     *
     * @return the draw
     */
    @Override
    public double nextGaussian() {
        double u = 1 - nextDouble();
        double v = nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * Fisher–Yates shuffle of the whole array, with {@link #nextInt(int)}.
     *
     * @param values the array, shuffled in place
     */
    public void shuffle(int[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int tmp = values[i];
            values[i] = values[j];
            values[j] = tmp;
        }
    }
}
