package dev.awp.djl.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Per-example indexing of logits and probabilities, shared by the training losses and the attack
 * losses (margin, DLR). The results are new arrays in the manager of the inputs.
 */
public final class Logits {

    private Logits() {}

    /**
     * The labels as an int64 vector (B): a view, or the labels themselves when already int64.
     *
     * @param labels class indices, shape (B) or (B, 1), any integer or float type
     * @return the labels as int64, shape (B)
     */
    public static NDArray classIndices(NDArray labels) {
        NDArray flat = labels.reshape(labels.size());
        return flat.getDataType() == DataType.INT64 ? flat : flat.toType(DataType.INT64, false);
    }

    /**
     * {@code values[i, labels[i]]}.
     *
     * @param values shape (B, C)
     * @param labels class indices, shape (B) or (B, 1)
     * @return shape (B)
     */
    public static NDArray pick(NDArray values, NDArray labels) {
        NDArray index = classIndices(labels).reshape(values.getShape().get(0), 1);
        return values.gather(index, 1).squeeze(1);
    }

    /**
     * {@code max_{j ≠ labels[i]} logits[i, j]}: the best other class's logit.
     *
     * @param logits shape (B, C), C ≥ 2
     * @param labels class indices, shape (B) or (B, 1)
     * @return shape (B)
     */
    public static NDArray bestOther(NDArray logits, NDArray labels) {
        long classes = logits.getShape().get(1);
        NDArray isOther = classIndices(labels).oneHot((int) classes, DataType.BOOLEAN).logicalNot();
        NDArray minusInf =
                logits.getManager()
                        .full(
                                new Shape(),
                                Float.NEGATIVE_INFINITY,
                                logits.getDataType(),
                                logits.getDevice());
        return NDArrays.where(isOther, logits, minusInf).max(new int[] {1});
    }
}
