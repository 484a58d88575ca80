package dev.awp.djl.attack;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.djl.internal.SplitMix64;
import java.util.function.ToDoubleFunction;

/**
 * Where an attack's random draws come from: the engine's generator ({@link #fromEngine()}, what
 * {@link InputAttack#generate(AttackTarget, NDArray, NDArray)} uses), or one stream per example,
 * keyed by a seed and the example's identifier ({@link #of(long, long[])}, what {@link
 * dev.awp.djl.evaluation.RobustnessEvaluator} uses).
 *
 * <p>With keys, an example meets the same draws whichever batch it is in, whatever its position and
 * its companions, and however many examples the attack breaks before it: example {@code i}'s draws
 * are the stream {@code SplitMix64(seed, ids[i])}, consumed in the attack's order (a random start,
 * then each restart's, then each search step's), and a batch's draws are those of its examples.
 * This is what lets a partitioned evaluation ({@code awp-spark}) give the verdicts one JVM gives.
 *
 * <p>The built-in attacks draw through {@link AttackBatch#random(int)}, {@link AttackBatch#uniform}
 * and {@link AttackBatch#normal}; a custom attack written on {@link AbstractInputAttack} gets
 * per-example draws the same way.
 *
 * <p>Keys also tally the model's forward passes spent on each example ({@link #queries()}), as the
 * attack reports them ({@link AttackBatch#countQueries(int[])}): use one instance per call.
 */
public abstract class ExampleKeys {

    ExampleKeys() {}

    /**
     * The engine's generator: arrays are drawn on the device by the engine ({@code
     * NDManager.randomUniform}), and host-side searches draw from one stream seeded by two draws of
     * the engine's generator. {@code Engine.setRandomSeed} makes a call reproducible; the draws
     * depend on the batch.
     *
     * @return the engine's draws
     */
    public static ExampleKeys fromEngine() {
        return Engine.INSTANCE;
    }

    /**
     * One stream per example, keyed by {@code seed} and the example's identifier.
     *
     * @param seed the seed of this attack (an evaluation derives one per attack)
     * @param ids one identifier per example of the batch, in row order (for example the example's
     *     index in the dataset); distinct identifiers give independent streams
     * @return the keyed draws
     */
    public static ExampleKeys of(long seed, long[] ids) {
        requireNonNull(ids, "ids");
        return new Keyed(seed, ids.clone());
    }

    /**
     * The forward passes of the model each example took part in, in row order, as counted by the
     * attacks that ran with these keys ({@link AttackBatch#countQueries(int[])}); the built-in
     * attacks count every pass, the clean one included.
     *
     * @return one count per example; empty for {@link #fromEngine()}, which keeps no tally
     */
    public long[] queries() {
        return new long[0];
    }

    /** The draws of one batch of {@code size} examples. */
    abstract Draws open(int size);

    /** The random draws of one batch; each row's stream is consumed in call order. */
    abstract static class Draws {

        /** The stream of row {@code row}. */
        abstract SplitMix64 stream(int row, NDManager manager);

        /** One forward pass of the model on each row of {@code rows}. */
        void countQueries(int[] rows) {}

        /**
         * Draws for the rows {@code rows}, shape {@code (rows.length, exampleShape...)}, uniform in
         * {@code [low, high)}.
         */
        abstract NDArray uniform(
                NDManager manager,
                int[] rows,
                Shape exampleShape,
                DataType type,
                float low,
                float high);

        /** Normal draws for the rows {@code rows}, shape as in {@link #uniform}. */
        abstract NDArray normal(
                NDManager manager,
                int[] rows,
                Shape exampleShape,
                DataType type,
                float mean,
                float std);
    }

    /** The engine's generator for arrays, one engine-seeded stream for the host's searches. */
    private static final class Engine extends ExampleKeys {
        static final Engine INSTANCE = new Engine();

        @Override
        Draws open(int size) {
            return new Draws() {
                private SplitMix64 shared;

                @Override
                SplitMix64 stream(int row, NDManager manager) {
                    if (shared == null) {
                        // drawn on first use, so that arrays drawn before it see the same state
                        shared = SplitMix64.fromEngine(manager);
                    }
                    return shared;
                }

                @Override
                NDArray uniform(
                        NDManager manager,
                        int[] rows,
                        Shape exampleShape,
                        DataType type,
                        float low,
                        float high) {
                    return manager.randomUniform(
                            low, high, new Shape(rows.length).addAll(exampleShape), type);
                }

                @Override
                NDArray normal(
                        NDManager manager,
                        int[] rows,
                        Shape exampleShape,
                        DataType type,
                        float mean,
                        float std) {
                    return manager.randomNormal(
                            mean,
                            std,
                            new Shape(rows.length).addAll(exampleShape),
                            type,
                            manager.getDevice());
                }
            };
        }

        @Override
        public String toString() {
            return "ExampleKeys.fromEngine()";
        }
    }

    /** One {@code SplitMix64(seed, id)} stream per example, drawn on the host. */
    private static final class Keyed extends ExampleKeys {
        private final long seed;
        private final long[] ids;
        private final long[] queries;

        Keyed(long seed, long[] ids) {
            this.seed = seed;
            this.ids = ids;
            this.queries = new long[ids.length];
        }

        @Override
        public long[] queries() {
            return queries.clone();
        }

        @Override
        Draws open(int size) {
            checkArgument(
                    ids.length == size,
                    "ids must hold one identifier per example (%s) but held %s",
                    size,
                    ids.length);
            SplitMix64[] streams = new SplitMix64[size];
            return new Draws() {
                @Override
                void countQueries(int[] rows) {
                    for (int row : rows) {
                        queries[row]++;
                    }
                }

                @Override
                SplitMix64 stream(int row, NDManager manager) {
                    if (streams[row] == null) {
                        streams[row] = SplitMix64.derive(seed, ids[row]);
                    }
                    return streams[row];
                }

                /** Each row's values drawn in order from its example's stream by {@code draw}. */
                private NDArray draw(
                        NDManager manager,
                        int[] rows,
                        Shape exampleShape,
                        DataType type,
                        ToDoubleFunction<SplitMix64> draw) {
                    int features = Math.toIntExact(exampleShape.size());
                    float[] values = new float[rows.length * features];
                    for (int j = 0; j < rows.length; j++) {
                        SplitMix64 random = stream(rows[j], manager);
                        for (int f = 0; f < features; f++) {
                            values[j * features + f] = (float) draw.applyAsDouble(random);
                        }
                    }
                    NDArray drawn =
                            manager.create(values, new Shape(rows.length).addAll(exampleShape));
                    return type == DataType.FLOAT32 ? drawn : drawn.toType(type, false);
                }

                @Override
                NDArray uniform(
                        NDManager manager,
                        int[] rows,
                        Shape exampleShape,
                        DataType type,
                        float low,
                        float high) {
                    return draw(manager, rows, exampleShape, type, r -> r.uniform(low, high));
                }

                @Override
                NDArray normal(
                        NDManager manager,
                        int[] rows,
                        Shape exampleShape,
                        DataType type,
                        float mean,
                        float std) {
                    return draw(
                            manager, rows, exampleShape, type, r -> mean + std * r.nextGaussian());
                }
            };
        }

        @Override
        public String toString() {
            return "ExampleKeys.of(seed " + seed + ", " + ids.length + " examples)";
        }
    }
}
