package dev.awp.djl.diagnostics;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Pair;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.perturbation.PerturbedTensors;
import dev.awp.perturbation.TensorSelection;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The weight loss landscape, the AWP paper's diagnostic of flatness (Wu, Xia, Wang 2020, §3; after
 * Li et al. 2018): {@code g(α) = L_adv(w + α·d)} for α on a grid, where {@code d} is a Gaussian
 * direction, <em>filter-normalized</em> — each filter of {@code d} (a slice along the first axis of
 * a convolution kernel or a row of a linear weight) is rescaled to the norm of the same filter of
 * {@code w}; biases, BatchNorm parameters and running statistics get no direction — and the
 * adversarial examples are regenerated for every perturbed model. The clean loss is computed beside
 * it.
 *
 * <pre>{@code
 * LandscapeResult landscape = WeightLandscape.builder()
 *         .attack(Attacks.pgd(10))
 *         .seed(0)
 *         .build()
 *         .compute("AT-AWP", block, testSet.subset(500, 0));
 * }</pre>
 *
 * <p>Losses are mean cross-entropies with the model in inference mode (BatchNorm running
 * statistics, which are left unchanged). Afterwards the weights are restored bit-exactly, also when
 * the computation throws. Deterministic for a seed: the direction and every attack's random start
 * derive from it.
 */
public final class WeightLandscape {

    private final Attack attack;
    private final double from;
    private final double to;
    private final int points;
    private final int batchSize;
    private final long seed;

    private WeightLandscape(Builder builder) {
        this.attack = builder.attack;
        this.from = builder.from;
        this.to = builder.to;
        this.points = builder.points;
        this.batchSize = builder.batchSize;
        this.seed = builder.seed;
    }

    /**
     * A builder with the paper's defaults: α ∈ [−1, 1] on 51 points, PGD-10 (L∞ 8/255), seed 0.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The grid of α.
     *
     * @return {@code points} values evenly spaced from {@code from} to {@code to}
     */
    public double[] alphas() {
        double[] alphas = new double[points];
        for (int i = 0; i < points; i++) {
            alphas[i] = points == 1 ? from : from + (to - from) * i / (points - 1);
        }
        return alphas;
    }

    /**
     * Computes the landscape of a model on a dataset.
     *
     * @param name a label for the result (e.g. the training method)
     * @param block the initialized model; its weights are moved along {@code d} and restored
     * @param data the examples (use a seeded {@code subset} to bound the cost)
     * @return the losses along the grid
     */
    public LandscapeResult compute(String name, Block block, ClassificationData data) {
        requireNonNull(name, "name");
        requireNonNull(block, "block");
        requireNonNull(data, "data");
        List<Pair<String, Parameter>> tensors =
                PerturbedTensors.select(block, TensorSelection.layerWeights());
        InputAttack inputAttack = InputAttacks.bind(attack);
        AttackTarget target = AttackTarget.of(block);
        double[] alphas = alphas();
        double[] adversarial = new double[points];
        double[] clean = new double[points];
        List<NDArray> weights = new ArrayList<>();
        List<ByteBuffer> originals = new ArrayList<>();
        for (Pair<String, Parameter> pair : tensors) {
            NDArray weight = pair.getValue().getArray();
            weights.add(weight);
            originals.add(weight.toByteBuffer());
        }
        NDManager owner = weights.get(0).getManager();
        try (NDManager scope = owner.newSubManager()) {
            owner.getEngine().setRandomSeed((int) seed);
            List<NDArray> origin = new ArrayList<>();
            List<NDArray> direction = new ArrayList<>();
            for (NDArray weight : weights) {
                NDArray w = weight.duplicate();
                w.attach(scope);
                origin.add(w);
                direction.add(filterNormalizedDirection(w, scope));
            }
            for (int i = 0; i < points; i++) {
                for (int t = 0; t < weights.size(); t++) {
                    NDArray weight = weights.get(t);
                    try (NDArray moved = origin.get(t).add(direction.get(t).mul(alphas[i]))) {
                        weight.set(moved.toByteBuffer());
                    }
                }
                double[] losses = losses(target, inputAttack, data, scope, i);
                adversarial[i] = losses[0];
                clean[i] = losses[1];
            }
        } finally {
            for (int t = 0; t < weights.size(); t++) {
                weights.get(t).set(originals.get(t).rewind());
            }
        }
        return new LandscapeResult(
                name, alphas, adversarial, clean, attack.name(), seed, data.size());
    }

    /** Gaussian d with every filter rescaled to the norm of the matching filter of {@code w}. */
    static NDArray filterNormalizedDirection(NDArray w, NDManager scope) {
        long filters = w.getShape().get(0);
        NDArray d =
                scope.randomNormal(w.getShape(), w.getDataType()).toDevice(w.getDevice(), false);
        NDArray wNorms = w.reshape(filters, -1).norm(new int[] {1});
        NDArray dNorms = d.reshape(filters, -1).norm(new int[] {1}).add(1e-10);
        long[] broadcast = new long[w.getShape().dimension()];
        java.util.Arrays.fill(broadcast, 1L);
        broadcast[0] = filters;
        return d.mul(wNorms.div(dNorms).reshape(broadcast));
    }

    /** {mean adversarial CE, mean clean CE} over the data, in inference mode. */
    private double[] losses(
            AttackTarget target,
            InputAttack inputAttack,
            ClassificationData data,
            NDManager scope,
            int point) {
        double adversarialSum = 0;
        double cleanSum = 0;
        int batchIndex = 0;
        try (NDManager local = scope.newSubManager()) {
            for (Batch batch : data.evaluationBatches(local, batchSize)) {
                try (batch) {
                    // every α and batch gets its own, reproducible random starts
                    local.getEngine()
                            .setRandomSeed((int) (seed * 1_000_003L + point * 7919L + batchIndex));
                    NDArray x = batch.getData().head();
                    NDArray y = batch.getLabels().head();
                    NDArray xAdv = inputAttack.generate(target, x, y);
                    long n = y.size();
                    adversarialSum +=
                            n
                                    * scalar(
                                            Losses.crossEntropy(
                                                    target.logits(xAdv, BatchNormMode.EVAL), y));
                    cleanSum +=
                            n
                                    * scalar(
                                            Losses.crossEntropy(
                                                    target.logits(x, BatchNormMode.EVAL), y));
                }
                batchIndex++;
            }
        }
        return new double[] {adversarialSum / data.size(), cleanSum / data.size()};
    }

    private static double scalar(NDArray value) {
        return value.toType(DataType.FLOAT64, false).getDouble();
    }

    /** Builds a {@link WeightLandscape}; every setter validates at once. */
    public static final class Builder {
        private Attack attack = Attacks.pgd(10);
        private double from = -1;
        private double to = 1;
        private int points = 51;
        private int batchSize = 256;
        private long seed;

        private Builder() {}

        /**
         * The attack that regenerates adversarial examples at every α.
         *
         * @param attack the attack; default PGD-10, L∞ 8/255, inference mode
         * @return this builder
         */
        public Builder attack(Attack attack) {
            this.attack = requireNonNull(attack, "attack");
            return this;
        }

        /**
         * The grid of α.
         *
         * @param from the first α
         * @param to the last α, greater than {@code from}
         * @param points the number of points, at least 2
         * @return this builder
         * @throws IllegalArgumentException if the range is empty or {@code points < 2}
         */
        public Builder alphas(double from, double to, int points) {
            checkArgument(
                    Double.isFinite(from) && Double.isFinite(to) && from < to,
                    "alphas must be a finite range with from < to but was [%s, %s]",
                    from,
                    to);
            checkArgument(points >= 2, "points must be >= 2 but was %s", points);
            this.from = from;
            this.to = to;
            this.points = points;
            return this;
        }

        /**
         * The evaluation batch size.
         *
         * @param batchSize the batch size, at least 1; default 256
         * @return this builder
         * @throws IllegalArgumentException if {@code batchSize < 1}
         */
        public Builder batchSize(int batchSize) {
            checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /**
         * The seed of the direction and of the attacks' random starts.
         *
         * @param seed the seed; default 0
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the diagnostic.
         *
         * @return the diagnostic
         */
        public WeightLandscape build() {
            return new WeightLandscape(this);
        }
    }
}
