package dev.awp.djl.training;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import dev.awp.djl.internal.Guards;
import java.util.HashMap;
import java.util.Map;

/**
 * SGD with momentum and weight decay with PyTorch's semantics ({@code torch.optim.SGD}, dampening
 * 0, no Nesterov), whose momentum buffers and step counts can be saved and restored, so that a run
 * resumed from a checkpoint continues exactly where it stopped.
 *
 * <p>The rule, per parameter and step, with learning rate \( \eta_t \), momentum \( \mu \) and
 * weight decay \( \lambda \):
 *
 * <pre>
 *   d ← g + λw
 *   b ← μb + d          (b starts at 0, so the first step has b = d, as PyTorch's clone)
 *   w ← w − η_t · b
 * </pre>
 *
 * <p>Why not DJL's {@code Sgd}: (1) its native {@code sgdUpdate} keeps the learning rate inside the
 * buffer, {@code v ← μv + η(g + λw)}, {@code w ← w − v}. That equals PyTorch's rule while the rate
 * is constant, but not at a change of the rate: after a ×0.1 drop DJL keeps moving by the old
 * rate's buffer, so each drop acts about μ/(1 − μ) = 9 iterations late (measured: the first update
 * after the drop was 7.4–11.7× PyTorch's). The official AWP scripts use {@code torch.optim.SGD}
 * with per-iteration rate changes, so whole runs differ. (2) DJL keeps its buffers in a private map
 * keyed by per-process parameter ids, so they cannot be checkpointed.
 *
 * <p>The update is a few engine calls per parameter instead of DJL's one fused kernel; afterwards
 * the gradient is zeroed, as DJL's kernel does. The state is saved by parameter <em>name</em> (the
 * path in the block): a momentum buffer under {@code <name>/momentum}, a step count under {@code
 * <name>/step}, so it can be loaded into a fresh model of the same architecture. A state whose
 * buffers are saved under the bare name was written by awp before this rule (DJL's buffers, which
 * hold η·b) and is refused with a message. Without momentum there are no buffers, only step counts.
 *
 * <p>One device per model, like {@link dev.awp.djl.perturbation.AwpOptimizer}; not thread-safe.
 */
final class ResumableSgd extends Optimizer implements ResumableOptimizer {

    /** The suffix of a momentum buffer in a saved state. */
    static final String MOMENTUM = "/momentum";

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
        float weightDecay = getWeightDecay();
        NDArray decayed = null;
        try {
            NDArray direction = grad;
            if (weightDecay != 0f) {
                try (NDArray decay = weight.mul(weightDecay)) {
                    decayed = grad.add(decay);
                }
                direction = decayed;
            }
            if (momentum != 0f) {
                NDArray buffer = buffers.get(parameterId);
                if (buffer == null) {
                    buffer = direction.duplicate();
                    buffer.attach(weight.getManager());
                    buffers.put(parameterId, buffer);
                } else {
                    buffer.muli(momentum).addi(direction);
                }
                direction = buffer;
            }
            try (NDArray step = direction.mul(lr)) {
                weight.subi(step);
            }
            // as DJL's sgdUpdate does (PyTorch accumulates gradients); grad may be a copy
            if (weight.hasGradient()) {
                try (NDArray live = weight.getGradient()) {
                    Guards.zero(live);
                }
            }
        } finally {
            if (decayed != null) {
                decayed.close();
            }
        }
    }

    /**
     * The momentum buffers (under {@code <name>/momentum}) and step counts (under {@code
     * <name>/step}), as copies in {@code manager}; parameters not updated yet have neither.
     */
    @Override
    public NDList saveState(Block block, NDManager manager) {
        NDList state = new NDList();
        for (var entry : block.getParameters()) {
            NDArray buffer = buffers.get(entry.getValue().getId());
            if (buffer != null) {
                state.add(OptimizerStates.savedCopy(buffer, entry.getKey() + MOMENTUM, manager));
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
            } else if (name != null && name.endsWith(MOMENTUM)) {
                String parameterName = name.substring(0, name.length() - MOMENTUM.length());
                Parameter parameter = OptimizerStates.parameter(byName, parameterName, name);
                buffers.put(
                        parameter.getId(),
                        OptimizerStates.ownedCopy(
                                saved, parameter.getArray(), "momentum of " + parameterName));
            } else {
                OptimizerStates.parameter(byName, name, name);
                throw new IllegalArgumentException(
                        "optimizer state holds a momentum buffer under the bare name "
                                + name
                                + ": it was written by awp before SGD took PyTorch's momentum rule"
                                + " (DJL's buffer, which holds the learning rate times PyTorch's),"
                                + " so it cannot resume exactly; start the run again from its"
                                + " initial weights, or load only the checkpoint's parameters");
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

    /** Only the options of the base class; weight decay is the one this optimizer uses. */
    private static final class Options extends OptimizerBuilder<Options> {
        @Override
        protected Options self() {
            return this;
        }
    }
}
