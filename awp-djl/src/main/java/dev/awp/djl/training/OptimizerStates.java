package dev.awp.djl.training;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Helpers shared by the {@link ResumableOptimizer}s: copies, names and step counts. */
final class OptimizerStates {

    /** The suffix of the step count of a parameter in a saved state. */
    static final String STEP = "/step";

    private OptimizerStates() {}

    /**
     * The parameters of the block by name, in the block's order.
     *
     * @param block the block
     * @return its parameters by name
     */
    static Map<String, Parameter> parametersByName(Block block) {
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (var entry : block.getParameters()) {
            byName.put(entry.getKey(), entry.getValue());
        }
        return byName;
    }

    /**
     * The parameter a saved array belongs to.
     *
     * @param byName the block's parameters by name
     * @param parameterName the parameter name the saved array carries
     * @param savedName the full name of the saved array, for the message
     * @return the initialized parameter
     * @throws IllegalArgumentException if the block has no initialized parameter of that name
     */
    static Parameter parameter(
            Map<String, Parameter> byName, String parameterName, String savedName) {
        Parameter parameter = byName.get(parameterName);
        checkArgument(
                parameter != null && parameter.isInitialized(),
                "optimizer state must name parameters of the model but was %s; the checkpoint"
                        + " belongs to another architecture",
                savedName);
        return parameter;
    }

    /**
     * A copy of a saved buffer that the weight's manager owns, on the weight's device, checked to
     * have the weight's shape. It is a real copy: it shares no memory with {@code saved}. (On DJL's
     * PyTorch engine, {@code toDevice(sameDevice, true)} returns {@code saved} itself, and a
     * decoded array can point into a buffer that is freed when its manager closes.)
     *
     * @param saved the saved buffer, possibly in a manager about to close
     * @param weight the weight the buffer belongs to
     * @param what what the buffer is, for the message
     * @return the copy
     * @throws IllegalArgumentException if the shapes differ
     */
    static NDArray ownedCopy(NDArray saved, NDArray weight, String what) {
        checkArgument(
                weight.getShape().equals(saved.getShape()),
                "%s must have shape %s but was %s",
                what,
                weight.getShape(),
                saved.getShape());
        NDArray copy =
                saved.getDevice().equals(weight.getDevice())
                        ? saved.duplicate()
                        : saved.toDevice(weight.getDevice(), true);
        copy.attach(weight.getManager());
        return copy;
    }

    /**
     * A copy of a live buffer that {@code manager} owns, named for a checkpoint.
     *
     * @param buffer the live buffer
     * @param name the name to save it under
     * @param manager the manager that owns the copy
     * @return the copy
     */
    static NDArray savedCopy(NDArray buffer, String name, NDManager manager) {
        NDArray copy = buffer.duplicate();
        copy.attach(manager);
        copy.setName(name);
        return copy;
    }

    /**
     * Per-parameter update counts, counted exactly like DJL's {@code Optimizer.updateCount}: each
     * parameter's own count goes up by one per update, and the value returned is the largest count
     * reached so far by any parameter. DJL's counts are private and keyed by per-process ids; these
     * are saved by parameter name.
     */
    static final class StepCounts {
        private final Map<String, Integer> byId = new HashMap<>();
        private int latest;

        /**
         * Counts one update of the parameter.
         *
         * @param parameterId the parameter's id
         * @return the update count DJL's optimizers would use for this update (1 for the first)
         */
        int next(String parameterId) {
            int count = byId.merge(parameterId, 1, Integer::sum);
            latest = Math.max(latest, count);
            return latest;
        }

        /**
         * Adds the count of every updated parameter of the block, as {@code <name>/step}.
         *
         * @param block the block
         * @param manager the manager that owns the arrays
         * @param state the list to add to
         */
        void save(Block block, NDManager manager, NDList state) {
            for (var entry : block.getParameters()) {
                Integer count = byId.get(entry.getValue().getId());
                if (count != null) {
                    NDArray array = manager.create(new long[] {count});
                    array.setName(entry.getKey() + STEP);
                    state.add(array);
                }
            }
        }

        /**
         * Sets a parameter's count from a saved {@code <name>/step} array.
         *
         * @param parameter the parameter
         * @param saved the saved array
         * @throws IllegalArgumentException if it is not one positive {@code int64}
         */
        void load(Parameter parameter, NDArray saved) {
            checkArgument(
                    saved.getDataType() == DataType.INT64 && saved.getShape().equals(new Shape(1)),
                    "%s must be one int64 but was %s %s",
                    saved.getName(),
                    saved.getDataType(),
                    saved.getShape());
            long count = saved.getLong(0);
            checkArgument(
                    count >= 1 && count <= Integer.MAX_VALUE,
                    "%s must be a positive int but was %s",
                    saved.getName(),
                    count);
            byId.put(parameter.getId(), (int) count);
            latest = Math.max(latest, (int) count);
        }

        /** Forgets every count. */
        void clear() {
            byId.clear();
            latest = 0;
        }
    }
}
