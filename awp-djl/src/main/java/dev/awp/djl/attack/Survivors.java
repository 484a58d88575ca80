package dev.awp.djl.attack;

/**
 * The examples of a batch an attack has not broken yet, and the restart loop over them that APGD,
 * FAB and Square share with AutoAttack: each run starts on the examples still standing, its results
 * are merged into the batch's by the attack, and the runs stop early once every example is broken.
 */
final class Survivors {

    /** One run of an attack on the examples not yet broken. */
    interface Run {
        /**
         * Runs once.
         *
         * @param run the run's number, from 0
         * @param survivors the batch rows not yet broken, increasing; at least one
         */
        void on(int run, int[] survivors);
    }

    private final boolean[] broken;

    /**
     * Survivors of a batch.
     *
     * @param brokenAtStart which examples count as broken before any run (typically those
     *     misclassified at the clean input); copied
     */
    Survivors(boolean[] brokenAtStart) {
        this.broken = brokenAtStart.clone();
    }

    /** Marks a row broken: later runs leave it alone. */
    void markBroken(int row) {
        broken[row] = true;
    }

    /** Whether a row is broken. */
    boolean isBroken(int row) {
        return broken[row];
    }

    /** The rows not yet broken, increasing. */
    int[] rows() {
        int count = 0;
        for (boolean b : broken) {
            count += b ? 0 : 1;
        }
        int[] rows = new int[count];
        int next = 0;
        for (int i = 0; i < broken.length; i++) {
            if (!broken[i]) {
                rows[next++] = i;
            }
        }
        return rows;
    }

    /**
     * Runs {@code runs} times on the rows not yet broken, stopping as soon as none is left.
     *
     * @param runs the most runs
     * @param run one run; it marks the rows it breaks
     */
    void restart(int runs, Run run) {
        for (int r = 0; r < runs; r++) {
            int[] rows = rows();
            if (rows.length == 0) {
                return;
            }
            run.on(r, rows);
        }
    }

    /** {@code rows} as {@code long}s, for an index array. */
    static long[] asLongs(int[] rows) {
        long[] longs = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            longs[i] = rows[i];
        }
        return longs;
    }

    /**
     * Copies the examples {@code rows} of {@code all} (row-major, {@code features} values each)
     * into a packed array, in order.
     */
    static float[] gather(float[] all, int[] rows, int features) {
        float[] packed = new float[rows.length * features];
        for (int k = 0; k < rows.length; k++) {
            System.arraycopy(all, rows[k] * features, packed, k * features, features);
        }
        return packed;
    }

    /**
     * Copies the packed example {@code k} of {@code packed} into row {@code row} of {@code all}.
     */
    static void put(float[] packed, int k, float[] all, int row, int features) {
        System.arraycopy(packed, k * features, all, row * features, features);
    }
}
