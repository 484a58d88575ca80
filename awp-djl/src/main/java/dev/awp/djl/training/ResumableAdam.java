package dev.awp.djl.training;

import static com.google.common.base.Preconditions.checkArgument;
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
 * Adam or AdamW whose moments and step counts can be saved and restored, so that a run resumed from
 * a checkpoint continues exactly where it stopped.
 *
 * <p>Why not DJL's {@code Adam} and {@code AdamW}: they keep their first and second moments in
 * private maps keyed by parameter id (a random UUID per {@link Parameter} instance, different in
 * every process), and the update counts behind the bias correction in the base class's private map,
 * with no accessor. This class makes exactly the call DJL 0.36's {@code Adam.update} and {@code
 * AdamW.update} make: with the update count {@code t} (counted like DJL's {@code
 * Optimizer.updateCount}) and the tracker's rate {@code η}, the engine's fused {@code adamUpdate}
 * of (weight, gradient, mean, variance) with {@code η}, the bias-corrected rate {@code η·√(1 − β₂ᵗ)
 * / (1 − β₁ᵗ)} computed in double and rounded to float, the weight decay, DJL's gradient rescaling
 * and clipping, β₁, β₂, ε, lazy update, and the AdamW flag (decoupled weight decay) for {@link
 * #adamW}. Its steps are therefore bit-identical to DJL's optimizers with the same settings.
 *
 * <p>The state is saved by parameter <em>name</em>: {@code <name>/mean}, {@code <name>/variance}
 * and {@code <name>/step}, so it can be loaded into a fresh model of the same architecture.
 *
 * <p>One device per model, like {@link dev.awp.djl.perturbation.AwpOptimizer}; not thread-safe.
 */
final class ResumableAdam extends Optimizer implements ResumableOptimizer {

    /** The suffix of a first moment in a saved state. */
    static final String MEAN = "/mean";

    /** The suffix of a second moment in a saved state. */
    static final String VARIANCE = "/variance";

    private final ParameterTracker learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final boolean decoupled;
    private final Map<String, NDArray> means = new HashMap<>();
    private final Map<String, NDArray> variances = new HashMap<>();
    private final OptimizerStates.StepCounts steps = new OptimizerStates.StepCounts();

    private ResumableAdam(
            ParameterTracker learningRate,
            float beta1,
            float beta2,
            float epsilon,
            float weightDecay,
            boolean decoupled) {
        super(new Options().optWeightDecays(weightDecay));
        this.learningRate = requireNonNull(learningRate, "learningRate");
        checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1) but was %s", beta1);
        checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1) but was %s", beta2);
        checkArgument(
                epsilon > 0 && Float.isFinite(epsilon),
                "epsilon must be finite and positive but was %s",
                epsilon);
        checkArgument(
                weightDecay >= 0 && Float.isFinite(weightDecay),
                "weightDecay must be finite and non-negative but was %s",
                weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.decoupled = decoupled;
    }

    /**
     * Adam with L2 weight decay added to the gradient, stepping like DJL's {@code Adam}.
     *
     * @param learningRate the learning-rate tracker
     * @param beta1 the decay of the first moment, in [0, 1)
     * @param beta2 the decay of the second moment, in [0, 1)
     * @param epsilon the term added to the denominator, finite and positive
     * @param weightDecay the L2 weight decay, finite and non-negative
     * @return the optimizer
     */
    static ResumableAdam adam(
            ParameterTracker learningRate,
            float beta1,
            float beta2,
            float epsilon,
            float weightDecay) {
        return new ResumableAdam(learningRate, beta1, beta2, epsilon, weightDecay, false);
    }

    /**
     * AdamW, with decoupled weight decay, stepping like DJL's {@code AdamW}.
     *
     * @param learningRate the learning-rate tracker
     * @param beta1 the decay of the first moment, in [0, 1)
     * @param beta2 the decay of the second moment, in [0, 1)
     * @param epsilon the term added to the denominator, finite and positive
     * @param weightDecay the decoupled weight decay, finite and non-negative
     * @return the optimizer
     */
    static ResumableAdam adamW(
            ParameterTracker learningRate,
            float beta1,
            float beta2,
            float epsilon,
            float weightDecay) {
        return new ResumableAdam(learningRate, beta1, beta2, epsilon, weightDecay, true);
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int t = steps.next(parameterId);
        double coef1 = 1.0 - Math.pow(beta1, t);
        double coef2 = 1.0 - Math.pow(beta2, t);
        float lr = learningRate.getNewValue(parameterId, t);
        float correctedLr = (float) (lr * Math.sqrt(coef2) / coef1);
        float weightDecay = getWeightDecay();
        checkArgument(
                Float.isFinite(correctedLr) && Float.isFinite(weightDecay),
                "learningRate and weightDecay must be finite but were %s and %s",
                correctedLr,
                weightDecay);
        NDArray mean = means.computeIfAbsent(parameterId, id -> weight.zerosLike());
        NDArray variance = variances.computeIfAbsent(parameterId, id -> weight.zerosLike());
        weight.getNDArrayInternal()
                .adamUpdate(
                        new NDList(weight, grad, mean, variance),
                        new NDList(weight),
                        lr,
                        correctedLr,
                        weightDecay,
                        rescaleGrad,
                        clipGrad,
                        beta1,
                        beta2,
                        epsilon,
                        true,
                        decoupled);
    }

    /**
     * The moments and step counts ({@code <name>/mean}, {@code <name>/variance}, {@code
     * <name>/step}), as copies in {@code manager}; parameters not updated yet have none.
     */
    @Override
    public NDList saveState(Block block, NDManager manager) {
        NDList state = new NDList();
        for (var entry : block.getParameters()) {
            String id = entry.getValue().getId();
            NDArray mean = means.get(id);
            if (mean != null) {
                state.add(OptimizerStates.savedCopy(mean, entry.getKey() + MEAN, manager));
                state.add(
                        OptimizerStates.savedCopy(
                                variances.get(id), entry.getKey() + VARIANCE, manager));
            }
        }
        steps.save(block, manager, state);
        return state;
    }

    /**
     * Replaces the moments and step counts with copies of the saved ones, matched by parameter
     * name.
     *
     * @throws IllegalArgumentException if a saved array names no parameter of the block, is not a
     *     mean, variance or step, or has the wrong shape, or if a parameter has only one moment
     */
    @Override
    public void loadState(Block block, NDList state) {
        Map<String, Parameter> byName = OptimizerStates.parametersByName(block);
        clear();
        for (NDArray saved : state) {
            String name = String.valueOf(saved.getName());
            if (name.endsWith(OptimizerStates.STEP)) {
                steps.load(parameter(byName, name, OptimizerStates.STEP), saved);
            } else if (name.endsWith(MEAN)) {
                Parameter parameter = parameter(byName, name, MEAN);
                means.put(
                        parameter.getId(),
                        OptimizerStates.ownedCopy(saved, parameter.getArray(), name));
            } else if (name.endsWith(VARIANCE)) {
                Parameter parameter = parameter(byName, name, VARIANCE);
                variances.put(
                        parameter.getId(),
                        OptimizerStates.ownedCopy(saved, parameter.getArray(), name));
            } else {
                throw new IllegalArgumentException(
                        "Adam state names must end with "
                                + MEAN
                                + ", "
                                + VARIANCE
                                + " or "
                                + OptimizerStates.STEP
                                + " but was "
                                + name);
            }
        }
        checkArgument(
                means.keySet().equals(variances.keySet()),
                "Adam state must hold a mean and a variance for every parameter but had means for"
                        + " %s parameters and variances for %s",
                means.size(),
                variances.size());
    }

    private static Parameter parameter(
            Map<String, Parameter> byName, String savedName, String suffix) {
        return OptimizerStates.parameter(
                byName, savedName.substring(0, savedName.length() - suffix.length()), savedName);
    }

    private void clear() {
        for (NDArray array : means.values()) {
            array.close();
        }
        for (NDArray array : variances.values()) {
            array.close();
        }
        means.clear();
        variances.clear();
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
