package dev.awp.djl.objective;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.djl.internal.Logits;
import dev.awp.djl.internal.Scopes;
import dev.awp.internal.Checks;
import java.util.function.Supplier;

/**
 * The losses of adversarial training, on DJL {@link NDArray}s of logits.
 *
 * <p>Shapes: logits are {@code (B, C)}, labels are {@code (B)} class indices in {@code [0, C)} (a
 * {@code (B, 1)} column is accepted too) of any integer type or of a floating type holding exact
 * integers (they are truncated to {@code int64}). With \(p = \mathrm{softmax}(z)\) of the clean
 * logits and \(q = \mathrm{softmax}(z')\) of the adversarial ones:
 *
 * <ul>
 *   <li>{@link #crossEntropy} and {@link #perExampleCrossEntropy}: \(\mathrm{CE}_i = -\log
 *       q_{i,y_i}\), the PGD-AT objective (Madry et al., <a
 *       href="https://arxiv.org/abs/1706.06083">arXiv:1706.06083</a>);
 *   <li>{@link #klDivergence} and {@link #trades}: TRADES (Zhang et al., <a
 *       href="https://arxiv.org/abs/1901.08573">arXiv:1901.08573</a>);
 *   <li>{@link #mart}: MART (Wang et al., <a href="https://openreview.net/forum?id=rklOg6EFwS">ICLR
 *       2020</a>);
 *   <li>{@link #cwMargin}: the Carlini–Wagner margin (<a
 *       href="https://arxiv.org/abs/1608.04644">arXiv:1608.04644</a>), as an attack ascends it.
 * </ul>
 *
 * <p>Every loss is computed in the data type of the logits (float32 or float64) on their device,
 * through {@link NDArray#logSoftmax(int)} wherever a logarithm of a probability is needed (MART's
 * \(\log(q + 10^{-12})\) and \(\log(1.0001 - q + 10^{-12})\) are the method's own and are kept).
 * The result is differentiable with respect to every logits argument: inside a {@link
 * ai.djl.training.GradientCollector}, gradients flow through both the clean and the adversarial
 * branch.
 *
 * <p>Memory: temporaries live in a sub-manager of the first logits argument's manager and are
 * closed before the method returns; the arguments are only borrowed (never closed, and returned to
 * their own managers). The result is attached to the manager of the first logits argument; the
 * caller owns it.
 */
public final class Losses {

    /** MART's constant in the boosted term \(-\log(1.0001 - q_{i,\hat y_i} + 10^{-12})\). */
    static final double MART_BOOST_ONE = 1.0001;

    /** MART's additive constant inside both logarithms. */
    static final double MART_LOG_EPS = 1e-12;

    /** MART's constant in the KL weight \(1.0000001 - p_{i,y_i}\). */
    static final double MART_WEIGHT_ONE = 1.0000001;

    private Losses() {}

    /**
     * Mean cross-entropy: \( \frac{1}{B} \sum_i -\log \mathrm{softmax}(z_i)_{y_i} \).
     *
     * @param logits the logits, shape {@code (B, C)}, float32 or float64
     * @param labels the class indices, shape {@code (B)}
     * @return a scalar of the logits' data type, attached to the logits' manager
     * @throws IllegalArgumentException if a shape or data type is not as described
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        int batch = checkLogits("logits", logits);
        checkLabels(labels, batch);
        return scoped(logits, () -> perExampleCe(logits, labels).mean(), logits, labels);
    }

    /**
     * Cross-entropy per example, \( \mathrm{CE}_i = -\log \mathrm{softmax}(z_i)_{y_i} \), e.g. to
     * keep the worst of several attack restarts per example.
     *
     * @param logits the logits, shape {@code (B, C)}, float32 or float64
     * @param labels the class indices, shape {@code (B)}
     * @return a vector of shape {@code (B)} of the logits' data type, attached to the logits'
     *     manager
     * @throws IllegalArgumentException if a shape or data type is not as described
     */
    public static NDArray perExampleCrossEntropy(NDArray logits, NDArray labels) {
        int batch = checkLogits("logits", logits);
        checkLabels(labels, batch);
        return scoped(logits, () -> perExampleCe(logits, labels), logits, labels);
    }

    /**
     * TRADES' robustness term, the batch-mean KL divergence from the clean to the adversarial
     * prediction: \( \frac{1}{B} \sum_i \sum_c p_{ic} (\log p_{ic} - \log q_{ic}) \) with \(p =
     * \mathrm{softmax}(z)\) the target and \(q = \mathrm{softmax}(z')\). This is the reference's
     * {@code KLDivLoss(reduction='sum')(log_softmax(z'), softmax(z)) / B}. The clean distribution
     * is not detached: gradients flow to both arguments.
     *
     * @param cleanLogits the clean logits \(z\), shape {@code (B, C)}
     * @param advLogits the adversarial logits \(z'\), same shape and data type
     * @return a scalar, attached to the clean logits' manager
     * @throws IllegalArgumentException if a shape or data type is not as described
     */
    public static NDArray klDivergence(NDArray cleanLogits, NDArray advLogits) {
        checkPair(cleanLogits, advLogits);
        return scoped(cleanLogits, () -> meanKl(cleanLogits, advLogits), cleanLogits, advLogits);
    }

    /**
     * TRADES (Zhang et al., 2019): \( \mathrm{CE}(z, y) + \beta \cdot \frac{1}{B} \sum_i
     * \mathrm{KL}(p_i \,\|\, q_i) \), the clean cross-entropy plus β times {@link #klDivergence};
     * gradients flow through both branches. The published β is 6.
     *
     * @param cleanLogits the clean logits \(z\), shape {@code (B, C)}
     * @param advLogits the adversarial logits \(z'\), same shape and data type
     * @param labels the class indices, shape {@code (B)}
     * @param beta β, finite and non-negative
     * @return a scalar, attached to the clean logits' manager
     * @throws IllegalArgumentException if a shape or data type is not as described, or if β is
     *     negative or not finite
     */
    public static NDArray trades(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta) {
        int batch = checkPair(cleanLogits, advLogits);
        checkLabels(labels, batch);
        Checks.nonNegative("beta", beta);
        return scoped(
                cleanLogits,
                () -> tradesLoss(cleanLogits, advLogits, labels, beta),
                cleanLogits,
                advLogits,
                labels);
    }

    /**
     * MART (Wang et al., 2020), exactly as the reference code computes it. With \(p =
     * \mathrm{softmax}(z)\), \(q = \mathrm{softmax}(z')\) and \(\hat y_i\) the most probable wrong
     * class under \(q_i\) (the reference takes the two largest entries of {@code argsort(q)} and
     * uses the second when the first is \(y_i\)):
     *
     * <p>\( \mathrm{BCE} = \mathrm{CE}(z', y) + \frac{1}{B} \sum_i -\log(1.0001 - q_{i\hat y_i} +
     * 10^{-12}) \),
     *
     * <p>\( \mathrm{wKL} = \frac{1}{B} \sum_i \Big[\sum_c p_{ic} \big(\log p_{ic} - \log(q_{ic} +
     * 10^{-12})\big)\Big] \cdot (1.0000001 - p_{iy_i}) \),
     *
     * <p>\( L = \mathrm{BCE} + \beta \cdot \mathrm{wKL} \). The constants are part of the published
     * method. Nothing is detached: gradients flow through \(q\), \(p\) and the weight. The
     * published β is 6.
     *
     * @param cleanLogits the clean logits \(z\), shape {@code (B, C)} with {@code C >= 2}
     * @param advLogits the adversarial logits \(z'\), same shape and data type
     * @param labels the class indices, shape {@code (B)}
     * @param beta β, finite and non-negative
     * @return a scalar, attached to the clean logits' manager
     * @throws IllegalArgumentException if a shape or data type is not as described, or if β is
     *     negative or not finite
     */
    public static NDArray mart(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta) {
        int batch = checkPair(cleanLogits, advLogits);
        checkLabels(labels, batch);
        checkAtLeastTwoClasses(cleanLogits);
        Checks.nonNegative("beta", beta);
        return scoped(
                cleanLogits,
                () -> martLoss(cleanLogits, advLogits, labels, beta),
                cleanLogits,
                advLogits,
                labels);
    }

    /**
     * The Carlini–Wagner margin summed over the batch, in the sign an attack <em>ascends</em>: \(
     * \sum_i \min\big(\max_{j \ne y_i} z_{ij} - z_{iy_i},\ \kappa\big) \). It is negative while an
     * example is classified correctly, grows as the example is pushed across the decision boundary,
     * and saturates once a wrong class leads by κ. This is \(-f_6\) of Carlini and Wagner, \( f_6 =
     * \max(z_y - \max_{j \ne y} z_j, -\kappa) \), summed; the {@code cwloss} of the TRADES and MART
     * evaluation code, \( -\sum_i \max(z_{iy_i} - \max_{j \ne y_i} z_{ij} + \kappa, 0) \), equals
     * it minus \(B\kappa\) (same gradient).
     *
     * @param logits the logits, shape {@code (B, C)} with {@code C >= 2}
     * @param labels the class indices, shape {@code (B)}
     * @param kappa the confidence κ, finite and non-negative (the CW∞ evaluation uses 10)
     * @return a scalar of the logits' data type, attached to the logits' manager
     * @throws IllegalArgumentException if a shape or data type is not as described, or if κ is
     *     negative or not finite
     */
    public static NDArray cwMargin(NDArray logits, NDArray labels, double kappa) {
        int batch = checkLogits("logits", logits);
        checkLabels(labels, batch);
        checkAtLeastTwoClasses(logits);
        Checks.nonNegative("kappa", kappa);
        return scoped(logits, () -> margin(logits, labels).minimum(kappa).sum(), logits, labels);
    }

    /**
     * The Carlini–Wagner margin per example, as an attack ascends it: \( \min(\max_{j \ne y_i}
     * z_{ij} - z_{i y_i}, \kappa) \), shape {@code (B)}; {@link #cwMargin} is its sum.
     *
     * @param logits the logits, shape {@code (B, C)}, C &ge; 2
     * @param labels the class indices, shape {@code (B)}
     * @param kappa the confidence κ &ge; 0
     * @return a vector of the logits' data type, attached to the logits' manager
     * @throws IllegalArgumentException if a shape, data type or κ is not as described
     */
    public static NDArray perExampleCwMargin(NDArray logits, NDArray labels, double kappa) {
        int batch = checkLogits("logits", logits);
        checkLabels(labels, batch);
        checkAtLeastTwoClasses(logits);
        Checks.nonNegative("kappa", kappa);
        return scoped(logits, () -> margin(logits, labels).minimum(kappa), logits, labels);
    }

    /**
     * The TRADES divergence per example, \( \mathrm{KL}(p_i \| q_i) = \sum_c p_{ic}(\log p_{ic} -
     * \log q_{ic}) \), shape {@code (B)}; {@link #klDivergence} is its mean.
     *
     * @param cleanLogits the clean logits (the target distribution), shape {@code (B, C)}
     * @param advLogits the adversarial logits, same shape and data type
     * @return a vector of the logits' data type, attached to the clean logits' manager
     * @throws IllegalArgumentException if a shape or data type is not as described
     */
    public static NDArray perExampleKlDivergence(NDArray cleanLogits, NDArray advLogits) {
        checkPair(cleanLogits, advLogits);
        return scoped(cleanLogits, () -> kl(cleanLogits, advLogits), cleanLogits, advLogits);
    }

    // --- computations (run inside scoped(): every intermediate is closed on return) ------------

    /** {@code -log_softmax(z)[i, y_i]}, shape (B). */
    static NDArray perExampleCe(NDArray logits, NDArray labels) {
        return Logits.pick(logits.logSoftmax(1), labels).neg();
    }

    /** {@code Σ_c p_ic (log p_ic − log q_ic)} per example, from log-softmaxes, shape (B). */
    static NDArray kl(NDArray cleanLogits, NDArray advLogits) {
        NDArray logP = cleanLogits.logSoftmax(1);
        NDArray logQ = advLogits.logSoftmax(1);
        return logP.exp().mul(logP.sub(logQ)).sum(new int[] {1});
    }

    /** {@code (1/B) Σ_i KL(p_i ‖ q_i)}. */
    private static NDArray meanKl(NDArray cleanLogits, NDArray advLogits) {
        return kl(cleanLogits, advLogits).mean();
    }

    private static NDArray tradesLoss(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta) {
        NDArray naturalCe = perExampleCe(cleanLogits, labels).mean();
        return naturalCe.add(meanKl(cleanLogits, advLogits).mul(constant(cleanLogits, beta)));
    }

    private static NDArray martLoss(
            NDArray cleanLogits, NDArray advLogits, NDArray labels, double beta) {
        long classes = cleanLogits.getShape().get(1);
        NDArray y = Logits.classIndices(labels);

        // ŷ: the reference's argsort(q)[:, -2:] and where(top == y, second, top)
        NDArray advProbs = advLogits.softmax(1);
        NDArray order = advProbs.argSort(1);
        NDArray top = order.get(":, {}", classes - 1);
        NDArray second = order.get(":, {}", classes - 2);
        NDArray wrongClass = NDArrays.where(top.eq(y), second, top);

        // boosted CE: CE(z', y) + mean_i −log(1.0001 − q[ŷ] + 1e-12)
        NDArray boost =
                NDArrays.sub(MART_BOOST_ONE, Logits.pick(advProbs, wrongClass))
                        .add(MART_LOG_EPS)
                        .log()
                        .neg()
                        .mean();
        NDArray boostedCe = perExampleCe(advLogits, y).mean().add(boost);

        // weighted KL: (1/B) Σ_i [Σ_c p (log p − log(q + 1e-12))] · (1.0000001 − p[y])
        NDArray logNatProbs = cleanLogits.logSoftmax(1);
        NDArray natProbs = logNatProbs.exp();
        NDArray klPerExample =
                natProbs.mul(logNatProbs.sub(advProbs.add(MART_LOG_EPS).log())).sum(new int[] {1});
        NDArray weight = NDArrays.sub(MART_WEIGHT_ONE, Logits.pick(natProbs, y));
        NDArray weightedKl = klPerExample.mul(weight).mean();

        return boostedCe.add(weightedKl.mul(constant(cleanLogits, beta)));
    }

    /** {@code max_{j≠y} z_j − z_y} per example, shape (B). */
    private static NDArray margin(NDArray logits, NDArray labels) {
        return Logits.bestOther(logits, labels).sub(Logits.pick(logits, labels));
    }

    /**
     * A 0-d constant of the data type and on the device of {@code like}. Needed to scale 0-d
     * results: PyTorch promotes float32 to float64 when both operands are 0-d, whereas a 0-d
     * constant combined with a vector or matrix takes the latter's type.
     */
    static NDArray constant(NDArray like, double value) {
        return like.getManager()
                .create(value)
                .toType(like.getDataType(), false)
                .toDevice(like.getDevice(), false);
    }

    // --- memory scoping
    // ---------------------------------------------------------------------------

    /**
     * Runs {@code body} with the arguments temporarily attached to a sub-manager of {@code owner}'s
     * manager, so that every intermediate is created in (and closed with) that sub-manager; the
     * result is moved to {@code owner}'s manager and the arguments go back to their own managers.
     * Autograd is unaffected: closing an intermediate releases only its handle, the graph keeps
     * what backward needs.
     */
    static NDArray scoped(NDArray owner, Supplier<NDArray> body, NDArray... arguments) {
        NDManager resultManager = owner.getManager();
        try (NDManager scope = resultManager.newSubManager()) {
            Scopes.borrow(scope, arguments);
            NDArray result = body.get();
            result.attach(resultManager);
            return result;
        }
    }

    // --- validation
    // -------------------------------------------------------------------------------

    static int checkLogits(String name, NDArray logits) {
        requireNonNull(logits, name);
        Shape shape = logits.getShape();
        checkArgument(shape.dimension() == 2, "%s must have shape (B, C) but was %s", name, shape);
        checkArgument(
                logits.getDataType().isFloating(),
                "%s must have a floating-point data type but was %s",
                name,
                logits.getDataType());
        checkArgument(
                shape.get(0) >= 1 && shape.get(1) >= 1,
                "%s must have at least one example and one class but had shape %s",
                name,
                shape);
        return Math.toIntExact(shape.get(0));
    }

    static int checkPair(NDArray cleanLogits, NDArray advLogits) {
        int batch = checkLogits("cleanLogits", cleanLogits);
        checkLogits("advLogits", advLogits);
        checkArgument(
                advLogits.getShape().equals(cleanLogits.getShape()),
                "advLogits must have the shape of cleanLogits %s but was %s",
                cleanLogits.getShape(),
                advLogits.getShape());
        checkArgument(
                advLogits.getDataType() == cleanLogits.getDataType(),
                "advLogits must have the data type of cleanLogits (%s) but was %s",
                cleanLogits.getDataType(),
                advLogits.getDataType());
        return batch;
    }

    static void checkLabels(NDArray labels, int batch) {
        requireNonNull(labels, "labels");
        Shape shape = labels.getShape();
        checkArgument(
                labels.size() == batch
                        && (shape.dimension() == 1
                                || (shape.dimension() == 2 && shape.get(1) == 1)),
                "labels must have shape (%s) or (%s, 1) but was %s",
                batch,
                batch,
                shape);
        DataType type = labels.getDataType();
        checkArgument(
                type.isInteger() || type.isFloating(),
                "labels must have an integer or floating-point data type but was %s",
                type);
    }

    static void checkAtLeastTwoClasses(NDArray logits) {
        checkArgument(
                logits.getShape().get(1) >= 2,
                "the number of classes must be >= 2 but was %s",
                logits.getShape().get(1));
    }
}
