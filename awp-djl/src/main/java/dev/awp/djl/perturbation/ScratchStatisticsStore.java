package dev.awp.djl.perturbation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.Map;

/**
 * A parameter store that serves the live weights but scratch copies of the BatchNorm running
 * statistics, so a training-mode forward through it leaves the model's running statistics exactly
 * as they were. This is how AWP computes {@code v} without a copy of the model: only the (small)
 * running statistics are copied.
 */
final class ScratchStatisticsStore extends ParameterStore implements AutoCloseable {

    private final NDManager scratch;
    private final Map<String, NDArray> copies = new HashMap<>();

    ScratchStatisticsStore(NDManager parent) {
        super(parent, false);
        this.scratch = parent.newSubManager();
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null;
        }
        NDArray live = parameter.getArray();
        if (!live.getDevice().equals(device)) {
            throw new IllegalStateException(
                    "AWP supports models on one device; parameter "
                            + parameter.getName()
                            + " is on "
                            + live.getDevice()
                            + " but the input is on "
                            + device);
        }
        Parameter.Type type = parameter.getType();
        if (type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR) {
            return live;
        }
        return copies.computeIfAbsent(
                parameter.getId(),
                id -> {
                    NDArray copy = live.duplicate();
                    copy.attach(scratch);
                    return copy;
                });
    }

    @Override
    public void close() {
        scratch.close();
    }
}
