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
 * SGD with momentum and weight decay whose momentum buffers and step counts can be saved and
 * restored, so that a run resumed from a checkpoint continues exactly where it stopped.
 *
 * <p>Why not DJL's {@code Sgd}: it keeps its momentum buffers in a private map keyed by parameter
 * id (a random UUID per {@link Parameter} instance, different in every process), with no accessor,
 * so they cannot be written to a checkpoint or put back. This class makes the same call as DJL's
 * {@code Sgd.update} (the engine's fused {@code sgdUpdate}, PyTorch semantics: {@code g ← g + λw},
 * {@code b ← μb + g}, {@code w ← w − ηb}, then the gradient is zeroed), so its steps are
 * bit-identical to DJL's {@code Sgd} with the same learning rate, momentum and weight decay; it
 * only owns the buffers and the update counts the learning-rate tracker sees. The state is saved by
 * parameter <em>name</em> (the path in the block): a momentum buffer under the name itself, a step
 * count under {@code <name>/step}, so it can be loaded into a fresh model of the same architecture.
 * Without momentum there are no buffers, only step counts.
 *
 * <p>One device per model, like {@link dev.awp.djl.perturbation.AwpOptimizer}; not thread-safe.
 */
final class ResumableSgd extends Optimizer implements ResumableOptimizer {

    private final ParameterTracker learningRate;
    private final float momentum;
    private final Map<String, NDArray> buffers = new HashMap<>();
    private final OptimizerStates.StepCounts steps = new OptimizerStates.StepCounts();

    ResumableSgd(ParameterTracker learningRate, float momentum, float weightDecay) {
        super(new Options().optWeightDecays(weightDecay));
        this.learningRate = requireNonNull(learningRate, "learningRate");
        this.momentum = momentum;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        float lr = learningRate.getNewValue(parameterId, steps.next(parameterId));
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
     * The momentum buffers (under the parameter names) and step counts (under {@code <name>/step}),
     * as copies in {@code manager}; parameters not updated yet have neither.
     */
    @Override
    public NDList saveState(Block block, NDManager manager) {
        NDList state = new NDList();
        for (var entry : block.getParameters()) {
            NDArray buffer = buffers.get(entry.getValue().getId());
            if (buffer != null) {
                state.add(OptimizerStates.savedCopy(buffer, entry.getKey(), manager));
            }
        }
        steps.save(block, manager, state);
        return state;
    }

    /**
     * Replaces the momentum buffers and step counts with copies of the saved ones, matched by
     * parameter name; a state without step counts (written before they were saved) restarts the
     * counts at zero.
     *
     * @throws IllegalArgumentException if a saved array names no parameter of the block or has the
     *     wrong shape
     */
    @Override
    public void loadState(Block block, NDList state) {
        Map<String, Parameter> byName = OptimizerStates.parametersByName(block);
        clear();
        for (NDArray saved : state) {
            String name = saved.getName();
            if (name != null && name.endsWith(OptimizerStates.STEP)) {
                String parameterName =
                        name.substring(0, name.length() - OptimizerStates.STEP.length());
                steps.load(OptimizerStates.parameter(byName, parameterName, name), saved);
            } else {
                Parameter parameter = OptimizerStates.parameter(byName, name, name);
                buffers.put(
                        parameter.getId(),
                        OptimizerStates.ownedCopy(
                                saved, parameter.getArray(), "momentum of " + name));
            }
        }
    }

    private void clear() {
        for (NDArray buffer : buffers.values()) {
            buffer.close();
        }
        buffers.clear();
        steps.clear();
    }

    /** Only the options of the base class: weight decay, gradient rescaling and clipping. */
    private static final class Options extends OptimizerBuilder<Options> {
        @Override
        protected Options self() {
            return this;
        }
    }
}
