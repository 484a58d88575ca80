package dev.awp.djl.objective;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.awp.djl.internal.Logits;
import dev.awp.internal.Checks;

/**
 * The losses of {@link Losses} with a weight per example: the weighted mean \( \sum_i w_i \ell_i /
 * \sum_i w_i \) of the per-example losses \(\ell_i\) whose plain mean the {@link Losses} method is,
 * as the trainer minimizes for {@linkplain
 * dev.awp.djl.data.ClassificationData#mixed(dev.awp.djl.data.ClassificationData, double,
 * java.util.List) mixed} data with per-source loss weights. The normalization by \( \sum_i w_i \)
 * keeps the loss on the plain mean's scale whatever the weights (a weight changes the share of its
 * examples, not the learning rate), and with every weight 1 the value is the plain mean up to
 * rounding (the trainer then calls the {@link Losses} method, so it is bit for bit unchanged).
 *
 * <p>Shapes, data types, gradients and memory as in {@link Losses}; the weights are a floating
 * vector {@code (B)}, finite, non-negative and not all zero (the trainer checks them on the batch;
 * these methods do not read them on the host).
 */
public final class WeightedLosses {

    private WeightedLosses() {}

    /**
     * The weighted mean \( \sum_i w_i v_i / \sum_i w_i \) of per-example values, in their data
     * type. With every weight equal it is the plain mean up to rounding.
     *
     * @param values the per-example values, shape {@code (B)}, floating point
     * @param weights the weights, shape {@code (B)}, finite, non-negative and not all zero (not
     *     checked on the host, to keep the step free of host reads; the trainer checks the batch)
     * @return a scalar, attached to the values' manager
     * @throws IllegalArgumentException if a shape or data type is not as described
     */
    public static NDArray weightedMean(NDArray values, NDArray weights) {
        requireNonNull(values, "values");
        checkArgument(
                values.getShape().dimension() == 1 && values.getDataType().isFloating(),
                "values must be a floating-point vector (B) but was %s %s",
                values.getDataType(),
                values.getShape());
        checkWeights(weights, Math.toIntExact(values.size()));
        return Losses.scoped(values, () -> weighted(values, weights), values, weights);
    }

    /**
     * Weighted cross-entropy: \( \sum_i w_i \mathrm{CE}_i / \sum_i w_i \), the weighted mean of
     * {@link Losses#perExampleCrossEntropy}.
     *
     * @param logits the logits, shape {@code (B, C)}, float32 or float64
     * @param labels the class indices, shape {@code (B)}
     * @param weights the per-example weights, shape {@code (B)}; see {@link #weightedMean}
     * @return a scalar of the logits' data type, attached to the logits' manager
     * @throws IllegalArgumentException if a shape or data type is not as described
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels, NDArray weights) {
        int batch = Losses.checkLogits("logits", logits);
        Losses.checkLabels(labels, batch);
        checkWeights(weights, batch);
        return Losses.scoped(
                logits,
                () -> weighted(Losses.perExampleCe(logits, labels), weights),
                logits,
                labels,
                weights);
    }

    /**
     * TRADES per example: \( \mathrm{CE}(z_i, y_i) + \beta \cdot \mathrm{KL}(p_i \| q_i) \), shape
     * {@code (B)}; {@link Losses#trades(NDArray, NDArray, NDArray, double)} is its mean (up to
     * rounding: that method takes the two means first).
     *
     * @param cleanLogits the clean logits \(z\), shape {@code (B, C)}
     * @param advLogits the adversarial logits \(z'\), same shape and data type
     * @param labels the class indices, shape {@code (B)}
     * @param beta β, finite and non-negative
     * @return a vector of the logits' data type, attached to the clean logits' manager
     * @throws IllegalArgumentException if a shape, data type or β is not as described
     */
    public static NDArray perExampleTrades(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta) {
        int batch = Losses.checkPair(cleanLogits, advLogits);
        Losses.checkLabels(labels, batch);
        Checks.nonNegative("beta", beta);
        return Losses.scoped(
                cleanLogits,
                () -> tradesPerExample(cleanLogits, advLogits, labels, beta),
                cleanLogits,
                advLogits,
                labels);
    }

    /**
     * Weighted TRADES: \( \sum_i w_i [\mathrm{CE}(z_i, y_i) + \beta\,\mathrm{KL}(p_i \| q_i)] /
     * \sum_i w_i \), the weighted mean of {@link #perExampleTrades}; with equal weights it is
     * {@link Losses#trades(NDArray, NDArray, NDArray, double)} up to rounding.
     *
     * @param cleanLogits the clean logits \(z\), shape {@code (B, C)}
     * @param advLogits the adversarial logits \(z'\), same shape and data type
     * @param labels the class indices, shape {@code (B)}
     * @param beta β, finite and non-negative
     * @param weights the per-example weights, shape {@code (B)}; see {@link #weightedMean}
     * @return a scalar, attached to the clean logits' manager
     * @throws IllegalArgumentException if a shape, data type or β is not as described
     */
    public static NDArray trades(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta, NDArray weights) {
        int batch = Losses.checkPair(cleanLogits, advLogits);
        Losses.checkLabels(labels, batch);
        Checks.nonNegative("beta", beta);
        checkWeights(weights, batch);
        return Losses.scoped(
                cleanLogits,
                () -> weighted(tradesPerExample(cleanLogits, advLogits, labels, beta), weights),
                cleanLogits,
                advLogits,
                labels,
                weights);
    }

    /**
     * MART per example, as {@link Losses#mart(NDArray, NDArray, NDArray, double)} computes its
     * terms: \( \mathrm{CE}(z'_i, y_i) - \log(1.0001 - q_{i\hat y_i} + 10^{-12}) + \beta
     * \big[\sum_c p_{ic} (\log p_{ic} - \log(q_{ic} + 10^{-12}))\big] (1.0000001 - p_{iy_i}) \),
     * shape {@code (B)}; {@link Losses#mart(NDArray, NDArray, NDArray, double)} is its mean (up to
     * rounding).
     *
     * @param cleanLogits the clean logits \(z\), shape {@code (B, C)} with {@code C >= 2}
     * @param advLogits the adversarial logits \(z'\), same shape and data type
     * @param labels the class indices, shape {@code (B)}
     * @param beta β, finite and non-negative
     * @return a vector of the logits' data type, attached to the clean logits' manager
     * @throws IllegalArgumentException if a shape, data type or β is not as described
     */
    public static NDArray perExampleMart(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta) {
        int batch = Losses.checkPair(cleanLogits, advLogits);
        Losses.checkLabels(labels, batch);
        Losses.checkAtLeastTwoClasses(cleanLogits);
        Checks.nonNegative("beta", beta);
        return Losses.scoped(
                cleanLogits,
                () -> martPerExample(cleanLogits, advLogits, labels, beta),
                cleanLogits,
                advLogits,
                labels);
    }

    /**
     * Weighted MART: the weighted mean \( \sum_i w_i \ell_i / \sum_i w_i \) of {@link
     * #perExampleMart}; with equal weights it is {@link Losses#mart(NDArray, NDArray, NDArray,
     * double)} up to rounding.
     *
     * @param cleanLogits the clean logits \(z\), shape {@code (B, C)} with {@code C >= 2}
     * @param advLogits the adversarial logits \(z'\), same shape and data type
     * @param labels the class indices, shape {@code (B)}
     * @param beta β, finite and non-negative
     * @param weights the per-example weights, shape {@code (B)}; see {@link #weightedMean}
     * @return a scalar, attached to the clean logits' manager
     * @throws IllegalArgumentException if a shape, data type or β is not as described
     */
    public static NDArray mart(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta, NDArray weights) {
        int batch = Losses.checkPair(cleanLogits, advLogits);
        Losses.checkLabels(labels, batch);
        Losses.checkAtLeastTwoClasses(cleanLogits);
        Checks.nonNegative("beta", beta);
        checkWeights(weights, batch);
        return Losses.scoped(
                cleanLogits,
                () -> weighted(martPerExample(cleanLogits, advLogits, labels, beta), weights),
                cleanLogits,
                advLogits,
                labels,
                weights);
    }

    /** {@code Σ w v / Σ w}, the weights cast to the values' data type. */
    private static NDArray weighted(NDArray values, NDArray weights) {
        NDArray w = weights.toType(values.getDataType(), false).reshape(-1);
        return values.mul(w).sum().div(w.sum());
    }

    private static NDArray tradesPerExample(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta) {
        return Losses.perExampleCe(cleanLogits, labels)
                .add(Losses.kl(cleanLogits, advLogits).mul(Losses.constant(cleanLogits, beta)));
    }

    private static NDArray martPerExample(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta) {
        long classes = cleanLogits.getShape().get(1);
        NDArray y = Logits.classIndices(labels);
        NDArray advProbs = advLogits.softmax(1);
        NDArray order = advProbs.argSort(1);
        NDArray top = order.get(":, {}", classes - 1);
        NDArray second = order.get(":, {}", classes - 2);
        NDArray wrongClass = NDArrays.where(top.eq(y), second, top);
        NDArray boost =
                NDArrays.sub(Losses.MART_BOOST_ONE, Logits.pick(advProbs, wrongClass))
                        .add(Losses.MART_LOG_EPS)
                        .log()
                        .neg();
        NDArray logNatProbs = cleanLogits.logSoftmax(1);
        NDArray natProbs = logNatProbs.exp();
        NDArray klPerExample =
                natProbs.mul(logNatProbs.sub(advProbs.add(Losses.MART_LOG_EPS).log()))
                        .sum(new int[] {1});
        NDArray weight = NDArrays.sub(Losses.MART_WEIGHT_ONE, Logits.pick(natProbs, y));
        return Losses.perExampleCe(advLogits, y)
                .add(boost)
                .add(klPerExample.mul(weight).mul(Losses.constant(cleanLogits, beta)));
    }

    static void checkWeights(NDArray weights, int batch) {
        requireNonNull(weights, "weights");
        checkArgument(
                weights.size() == batch && weights.getShape().dimension() == 1,
                "weights must have shape (%s) but was %s",
                batch,
                weights.getShape());
        checkArgument(
                weights.getDataType().isFloating(),
                "weights must have a floating-point data type but was %s",
                weights.getDataType());
    }
}
