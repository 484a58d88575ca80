package dev.awp.djl.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.AttackLoss;

/**
 * Per-example attack losses on logits of shape {@code (B, C)}: each returns a vector of shape
 * {@code (B)}, larger meaning more adversarial. Attacks ascend their sum and use the per-example
 * values to keep the worst restart.
 *
 * <p>Results and temporaries are attached to the managers of the arrays they derive from (the
 * logits, and the labels for their type conversion): call these inside a scope that owns both.
 */
public final class AttackLosses {

    private AttackLosses() {}

    /**
     * Cross-entropy per example, {@code −log softmax(z_i)[y_i]}.
     *
     * @param logits the logits, shape {@code (B, C)}
     * @param labels class indices, shape {@code (B)}, any numeric type
     * @return the losses, shape {@code (B)}
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return pick(logits.logSoftmax(1), labels).neg();
    }

    /**
     * The Carlini–Wagner margin per example, {@code max(max_{j≠y} z_j − z_y, −κ)}: positive when
     * the example is misclassified.
     *
     * @param logits the logits, shape {@code (B, C)}
     * @param labels class indices, shape {@code (B)}
     * @param kappa the confidence κ ≥ 0
     * @return the margins, shape {@code (B)}
     */
    public static NDArray cwMargin(NDArray logits, NDArray labels, double kappa) {
        NDArray trueLogit = pick(logits, labels);
        NDArray isTrue = labels.toType(DataType.INT64, false).oneHot((int) classes(logits));
        NDArray others =
                NDArrays.where(
                        isTrue.toType(DataType.BOOLEAN, false),
                        logits.getManager()
                                .full(
                                        logits.getShape(),
                                        Float.NEGATIVE_INFINITY,
                                        logits.getDataType()),
                        logits);
        return others.max(new int[] {1}).sub(trueLogit).maximum(-kappa);
    }

    /**
     * The TRADES attack loss per example, {@code KL(p_i ‖ q_i) = Σ_c p_ic (log p_ic − log q_ic)}
     * with {@code p = softmax(clean logits)} fixed and {@code q = softmax(adversarial logits)}.
     *
     * @param cleanLogProbabilities {@code log p}, shape {@code (B, C)}, with no gradient
     * @param logits the adversarial logits, shape {@code (B, C)}
     * @return the divergences, shape {@code (B)}
     */
    public static NDArray klToClean(NDArray cleanLogProbabilities, NDArray logits) {
        return cleanLogProbabilities
                .exp()
                .mul(cleanLogProbabilities.sub(logits.logSoftmax(1)))
                .sum(new int[] {1});
    }

    /**
     * The per-example value of an attack loss specification.
     *
     * @param loss the specification
     * @param logits the adversarial logits
     * @param labels the labels
     * @param cleanLogProbabilities {@code log softmax} of the clean logits; required for {@link
     *     AttackLoss.Kind#KL_TO_CLEAN}, ignored otherwise
     * @return the losses, shape {@code (B)}
     */
    static NDArray of(
            AttackLoss loss, NDArray logits, NDArray labels, NDArray cleanLogProbabilities) {
        switch (loss.kind()) {
            case CROSS_ENTROPY:
                return crossEntropy(logits, labels);
            case CW_MARGIN:
                return cwMargin(logits, labels, loss.kappa());
            case KL_TO_CLEAN:
                return klToClean(cleanLogProbabilities, logits);
            default:
                throw new AssertionError(loss.kind());
        }
    }

    private static NDArray pick(NDArray values, NDArray labels) {
        long batch = values.getShape().get(0);
        NDArray index = labels.toType(DataType.INT64, false).reshape(batch, 1);
        return values.gather(index, 1).reshape(new Shape(batch));
    }

    private static long classes(NDArray logits) {
        return logits.getShape().get(1);
    }
}
