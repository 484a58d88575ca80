package dev.awp.djl.internal;

/**
 * The one seed mixer of awp-djl: SplitMix64's finalizer (Stafford's variant 13 of MurmurHash3's),
 * used by the data order and augmentation, the run's per-batch engine seeds and the evaluator's
 * per-attack seeds. Written out so that every derived seed is fixed by this file alone, on every
 * JVM and version.
 */
public final class Seeds {

    /** The odd constant ⌊2⁶⁴/φ⌋ of SplitMix64. */
    public static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private Seeds() {}

    /**
     * Mixes 64 bits so that nearby inputs give unrelated outputs.
     *
     * @param z the input
     * @return the mixed value
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Folds 64 bits into an engine seed.
     *
     * @param value the 64-bit value
     * @return its two halves XORed
     */
    public static int toInt(long value) {
        return (int) (value ^ (value >>> 32));
    }
}
