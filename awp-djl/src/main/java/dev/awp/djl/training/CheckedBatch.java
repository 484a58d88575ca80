package dev.awp.djl.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.dataset.Batch;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.internal.Guards;

/**
 * A batch's inputs on the device, checked against the attack's threat model, its labels, and its
 * per-example loss weights if it carries them.
 *
 * @param x the inputs
 * @param labels the checked labels
 * @param weights the loss weights {@code (B)} (a label array named {@value
 *     ClassificationData#LOSS_WEIGHTS}), or {@code null}
 */
record CheckedBatch(NDArray x, Guards.CheckedLabels labels, NDArray weights) {

    /**
     * The batch's first data and label arrays on {@code device}, checked (one host read), and its
     * loss weights, checked finite, non-negative, of shape {@code (B)} and not all zero (one more
     * host read, only when the batch has them).
     */
    static CheckedBatch of(Batch batch, Device device, NDManager scope, InputAttack attack) {
        NDArray x = onDevice(batch.getData().head(), device, scope);
        NDArray y = onDevice(batch.getLabels().head(), device, scope);
        Guards.CheckedLabels labels = Guards.checkBatch(attack.threatModel(), x, y);
        NDArray weights = null;
        for (NDArray array : batch.getLabels()) {
            if (ClassificationData.LOSS_WEIGHTS.equals(array.getName())) {
                weights = checkWeights(onDevice(array, device, scope), y.size());
            }
        }
        return new CheckedBatch(x, labels, weights);
    }

    private static NDArray checkWeights(NDArray weights, long batch) {
        if (weights.getShape().dimension() != 1
                || weights.size() != batch
                || !weights.getDataType().isFloating()) {
            throw new IllegalArgumentException(
                    ClassificationData.LOSS_WEIGHTS
                            + " must be a floating-point vector ("
                            + batch
                            + ") but was "
                            + weights.getDataType()
                            + " "
                            + weights.getShape());
        }
        try (NDArray wide = weights.toType(DataType.FLOAT64, true);
                NDArray bad = wide.isNaN().logicalOr(wide.isInfinite()).logicalOr(wide.lt(0));
                NDArray anyBad = bad.any();
                NDArray sum = wide.sum();
                NDArray both =
                        NDArrays.stack(new NDList(anyBad.toType(DataType.FLOAT64, false), sum))) {
            double[] read = both.toDoubleArray();
            if (read[0] != 0 || !(read[1] > 0)) {
                throw new IllegalArgumentException(
                        ClassificationData.LOSS_WEIGHTS
                                + " must be finite, >= 0 and not all 0 but summed to "
                                + read[1]);
            }
        }
        return weights;
    }

    /** The labels as class indices, shape {@code (B)}. */
    NDArray y() {
        return labels.vector();
    }

    /** The array on the device, owned by {@code scope} if it had to be copied. */
    private static NDArray onDevice(NDArray array, Device device, NDManager scope) {
        if (array.getDevice().equals(device)) {
            NDArray view = array.stopGradient();
            view.attach(scope);
            return view;
        }
        NDArray copy = array.toDevice(device, true);
        copy.attach(scope);
        return copy;
    }
}
