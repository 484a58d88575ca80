package dev.awp.djl.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Pair;
import dev.awp.djl.internal.Guards;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recomputes a block's BatchNorm running statistics over some batches, as PyTorch's {@code
 * torch.optim.swa_utils.update_bn} does for an SWA model: one pass, BatchNorm in training mode, no
 * gradient, and every running mean and variance set to the cumulative average of the pass's batch
 * statistics ({@code momentum=None}: each batch counts once, the last smaller one too). The batch
 * variance is PyTorch's unbiased one, as a training-mode forward puts into the running variance.
 *
 * <p>How: each batch is forwarded through a parameter store that serves the live weights but, for
 * every running statistic, a zero array; the training-mode forward leaves {@code m·s} in it, with
 * {@code m = 1 − momentum} PyTorch's momentum of the layer ({@link BatchNorm}'s momentum read once
 * per layer) and {@code s} the batch statistic, so {@code s = stored / m}. The statistics are
 * summed in float64 and their mean rounded once to the statistic's data type. The layers' momentum,
 * the weights and everything else of the block are untouched; only the running statistics of {@link
 * BatchNorm} layers change. Other layers run their training-mode forward (dropout draws from the
 * engine's generator, as in PyTorch's {@code update_bn}).
 */
final class BatchNormStatistics {

    private BatchNormStatistics() {}

    /**
     * One BatchNorm layer's running statistics and the momentum {@code m} DJL hands PyTorch, {@code
     * 1 − momentum} in float32.
     */
    private record Layer(Parameter mean, Parameter variance, double m) {}

    /**
     * Whether {@code block} has {@link BatchNorm} layers whose statistics {@link #recompute} sets.
     */
    static boolean hasBatchNorm(Block block) {
        return !layers(block).isEmpty();
    }

    /**
     * Sets every BatchNorm running mean and variance of {@code block} to the average of the batch
     * statistics over {@code batches}; leaves them unchanged if there are no batches. Each batch is
     * closed.
     *
     * @return the number of batches averaged
     */
    static int recompute(Block block, Iterable<Batch> batches, NDManager manager) {
        List<Layer> layers = layers(block);
        if (layers.isEmpty()) {
            return 0;
        }
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> sums = new HashMap<>();
            Map<String, Double> momentum = new HashMap<>();
            for (Layer layer : layers) {
                for (Parameter p : List.of(layer.mean(), layer.variance())) {
                    NDArray zero = scope.zeros(p.getArray().getShape(), DataType.FLOAT64);
                    sums.put(p.getId(), zero);
                    momentum.put(p.getId(), layer.m());
                }
            }
            int count = 0;
            for (Batch batch : batches) {
                try (batch;
                        NDManager local = scope.newSubManager()) {
                    NDArray x = batch.getData().head().toDevice(manager.getDevice(), false);
                    ZeroStatistics store = new ZeroStatistics(local);
                    block.forward(store, new NDList(x), true).close();
                    for (Map.Entry<String, NDArray> stored : store.arrays.entrySet()) {
                        NDArray sum = sums.get(stored.getKey());
                        try (NDArray wide = stored.getValue().toType(DataType.FLOAT64, false);
                                NDArray statistic = wide.div(momentum.get(stored.getKey()))) {
                            sum.addi(statistic);
                        }
                    }
                }
                count++;
            }
            if (count == 0) {
                return 0;
            }
            for (Layer layer : layers) {
                for (Parameter p : List.of(layer.mean(), layer.variance())) {
                    NDArray live = p.getArray();
                    try (NDArray mean =
                            sums.get(p.getId()).div(count).toType(live.getDataType(), false)) {
                        Guards.copy(live, mean);
                    }
                }
            }
            return count;
        }
    }

    /** The block's BatchNorm layers, depth first, with initialized running statistics. */
    private static List<Layer> layers(Block block) {
        List<Layer> layers = new ArrayList<>();
        collect(block, layers);
        return layers;
    }

    private static void collect(Block block, List<Layer> layers) {
        if (block instanceof BatchNorm norm) {
            Parameter mean = null;
            Parameter variance = null;
            for (Pair<String, Parameter> pair : norm.getParameters()) {
                Parameter.Type type = pair.getValue().getType();
                if (type == Parameter.Type.RUNNING_MEAN) {
                    mean = pair.getValue();
                } else if (type == Parameter.Type.RUNNING_VAR) {
                    variance = pair.getValue();
                }
            }
            if (mean != null && variance != null && mean.isInitialized()) {
                layers.add(new Layer(mean, variance, (double) (1f - momentumOf(norm))));
            }
            return;
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collect(child.getValue(), layers);
        }
    }

    /** DJL's momentum of a layer (the share the running statistic keeps); not public in DJL. */
    private static float momentumOf(BatchNorm norm) {
        try {
            Field field = BatchNorm.class.getDeclaredField("momentum");
            field.setAccessible(true);
            return field.getFloat(norm);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(
                    "the BatchNorm momentum of this DJL version cannot be read, so SWA's"
                            + " BatchNorm statistics cannot be recomputed: "
                            + e,
                    e);
        }
    }

    /** Live weights, and a zero array for every running statistic, kept by parameter id. */
    private static final class ZeroStatistics extends ParameterStore {
        private final NDManager local;
        private final Map<String, NDArray> arrays = new HashMap<>();

        ZeroStatistics(NDManager local) {
            super(local, false);
            this.local = local;
        }

        @Override
        public NDArray getValue(Parameter parameter, Device device, boolean training) {
            if (parameter == null) {
                return null;
            }
            Parameter.Type type = parameter.getType();
            NDArray live = parameter.getArray();
            if (type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR) {
                return live;
            }
            return arrays.computeIfAbsent(
                    parameter.getId(),
                    id -> {
                        NDArray zero = local.zeros(live.getShape(), live.getDataType(), device);
                        zero.attach(local);
                        return zero;
                    });
        }
    }
}
