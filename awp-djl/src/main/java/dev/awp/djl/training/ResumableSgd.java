package dev.awp.djl.training;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import java.util.HashMap;
import java.util.Map;

/**
 * SGD with momentum and weight decay whose momentum buffers can be saved and restored, so that a
 * run resumed from a checkpoint continues exactly where it stopped.
 *
 * <p>Why not DJL's {@code Sgd}: it keeps its momentum buffers in a private map keyed by parameter
 * id (a random UUID per {@link Parameter} instance, different in every process), with no accessor,
 * so they cannot be written to a checkpoint or put back. This class makes the same call as DJL's
 * {@code Sgd.update} (the engine's fused {@code sgdUpdate}, PyTorch semantics: {@code g ← g + λw},
 * {@code b ← μb + g}, {@code w ← w − ηb}, then the gradient is zeroed), so its steps are
 * bit-identical to DJL's {@code Sgd} with the same learning rate, momentum and weight decay; it
 * only owns the buffers. Buffers are saved by parameter <em>name</em> (the path in the block), so
 * they can be loaded into a fresh model of the same architecture.
 *
 * <p>One device per model, like {@link dev.awp.djl.perturbation.AwpOptimizer}; not thread-safe.
 */
final class ResumableSgd extends Optimizer {

    private final ParameterTracker learningRate;
    private final float momentum;
    private final Map<String, NDArray> buffers = new HashMap<>();

    ResumableSgd(ParameterTracker learningRate, float momentum, float weightDecay) {
        super(new Options().optWeightDecays(weightDecay));
        this.learningRate = requireNonNull(learningRate, "learningRate");
        this.momentum = momentum;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        float lr = learningRate.getNewValue(parameterId, updateCount(parameterId));
        NDList inputs;
        if (momentum != 0f) {
            NDArray state = buffers.computeIfAbsent(parameterId, id -> weight.zerosLike());
            inputs = new NDList(weight, grad, state);
        } else {
            inputs = new NDList(weight, grad);
        }
        weight.getNDArrayInternal()
                .sgdUpdate(
                        inputs,
                        new NDList(weight),
                        lr,
                        getWeightDecay(),
                        rescaleGrad,
                        clipGrad,
                        momentum,
                        true);
    }

    /**
     * The momentum buffers, by parameter name, as copies in {@code manager}; parameters not updated
     * yet have none.
     */
    NDList saveState(Block block, NDManager manager) {
        NDList state = new NDList();
        for (var entry : block.getParameters()) {
            NDArray buffer = buffers.get(entry.getValue().getId());
            if (buffer != null) {
                NDArray copy = buffer.duplicate();
                copy.attach(manager);
                copy.setName(entry.getKey());
                state.add(copy);
            }
        }
        return state;
    }

    /**
     * Replaces the momentum buffers with copies of the saved ones, matched by parameter name.
     *
     * @throws IllegalArgumentException if a saved buffer names no parameter of the block or has the
     *     wrong shape
     */
    void loadState(Block block, NDList state) {
        Map<String, Parameter> byName = new HashMap<>();
        for (var entry : block.getParameters()) {
            byName.put(entry.getKey(), entry.getValue());
        }
        clearBuffers();
        for (NDArray saved : state) {
            Parameter parameter = byName.get(saved.getName());
            if (parameter == null || !parameter.isInitialized()) {
                throw new IllegalArgumentException(
                        "optimizer state must name parameters of the model but was "
                                + saved.getName()
                                + "; the checkpoint belongs to another architecture");
            }
            NDArray weight = parameter.getArray();
            if (!weight.getShape().equals(saved.getShape())) {
                throw new IllegalArgumentException(
                        "momentum of "
                                + saved.getName()
                                + " must have shape "
                                + weight.getShape()
                                + " but was "
                                + saved.getShape());
            }
            NDArray buffer = saved.toDevice(weight.getDevice(), true);
            buffer.attach(weight.getManager());
            buffers.put(parameter.getId(), buffer);
        }
    }

    private void clearBuffers() {
        for (NDArray buffer : buffers.values()) {
            buffer.close();
        }
        buffers.clear();
    }

    /** Only the options of the base class: weight decay, gradient rescaling and clipping. */
    private static final class Options extends OptimizerBuilder<Options> {
        @Override
        protected Options self() {
            return this;
        }
    }
}
