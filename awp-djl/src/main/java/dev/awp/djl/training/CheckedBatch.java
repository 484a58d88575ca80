package dev.awp.djl.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.internal.Guards;

/**
 * A batch's inputs on the device, checked against the attack's threat model, and its labels.
 *
 * @param x the inputs
 * @param labels the checked labels
 */
record CheckedBatch(NDArray x, Guards.CheckedLabels labels) {

    /** The batch's first data and label arrays on {@code device}, checked (one host read). */
    static CheckedBatch of(Batch batch, Device device, NDManager scope, InputAttack attack) {
        NDArray x = onDevice(batch.getData().head(), device, scope);
        NDArray y = onDevice(batch.getLabels().head(), device, scope);
        return new CheckedBatch(x, Guards.checkBatch(attack.threatModel(), x, y));
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
