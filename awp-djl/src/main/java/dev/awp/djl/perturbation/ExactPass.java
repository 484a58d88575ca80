package dev.awp.djl.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import dev.awp.attack.Attack;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.internal.GradientSuspension;
import dev.awp.djl.internal.Guards;
import dev.awp.djl.internal.Scopes;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.perturbation.PerturbationDirection;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.training.NonFiniteValueException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The paper's AWP pass ({@link PerturbationDirection#EXACT}): the objective's forward and backward
 * at {@code w} on the {@link PassTarget}, in training mode through a {@link PassStore} (scratch
 * BatchNorm statistics, and detached leaves of the perturbed weights that receive the pass's
 * gradients), and {@code v} from its gradient; with the checks both directions share.
 */
final class ExactPass implements Direction {

    private final WeightPerturbation spec;

    ExactPass(WeightPerturbation spec) {
        this.spec = spec;
    }

    /** The exact pass reads no gradient of the attack: the attack runs on the model as it is. */
    @Override
    public AttackTarget attackTarget(AttackTarget target, Attack attack) {
        return target;
    }

    /**
     * The AWP pass: for each ascent step, one forward and backward of the objective on the {@link
     * PassTarget}, then every {@code v} from its gradient, checked finite before any weight moves;
     * then {@code w += v}; the caller leaves each tensor pending its restore. The model's gradient
     * arrays are left as they were: the gradients of the perturbed weights go to the store's leaves
     * and the other weights' are suspended (a gradient the pass had to write into a model's or a
     * proxy's own array is zeroed). If anything throws, no weight moved ({@code K = 1}) or the
     * moves made so far are subtracted ({@code K > 1}), and every trainable gradient is zeroed.
     */
    @Override
    public void compute(
            Block block,
            TrainingObjective objective,
            NDArray x,
            NDArray y,
            NDArray xAdv,
            List<PerturbedTensor> tensors) {
        PassTarget target = PassTarget.of(block, tensors);
        int steps = spec.ascentSteps();
        Set<String> perturbed = new HashSet<>();
        tensors.forEach(tensor -> perturbed.add(tensor.id()));
        List<NDArray> shared = new ArrayList<>(target.zeroedAfterPass());
        try {
            try (NDManager scope = xAdv.getManager().newSubManager();
                    PassStore store = new PassStore(scope, perturbed)) {
                Scopes.borrow(scope, x, y, xAdv);
                Guards.CheckedLabels labels = Guards.checkFiniteInputs(x, xAdv, y);
                for (PerturbedTensor tensor : tensors) {
                    tensor.startAscent(spec.gamma(), steps, scope);
                }
                for (int step = 0; step < steps; step++) {
                    Block pass = target.block(step);
                    NDArray loss =
                            gradients(pass, store, objective, x, y, xAdv, target.others(), labels);
                    for (int i = 0; i < tensors.size(); i++) {
                        PerturbedTensor tensor = tensors.get(i);
                        NDArray own = store.leafGradient(tensor.id());
                        if (own != null) {
                            tensor.ascend(own, true, steps, spec.ascentStepSize());
                        } else {
                            NDArray source = target.source(i);
                            if (step == 0) {
                                shared.add(source);
                            }
                            tensor.ascend(
                                    source.getGradient(), false, steps, spec.ascentStepSize());
                        }
                    }
                    store.releaseLeaves();
                    checkFinite(loss, tensors);
                    if (steps > 1) {
                        tensors.forEach(PerturbedTensor::move);
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            // nothing is applied for K = 1; for K > 1 the weights moved along: back to w
            for (PerturbedTensor tensor : tensors) {
                tensor.restore();
            }
            zeroGradients(target.trainable());
            throw e;
        }
        zeroGradients(shared);
        if (steps == 1) {
            tensors.forEach(PerturbedTensor::apply);
        }
    }

    /**
     * Checks the AWP pass loss and every {@code v} with one host read of scalars, before any weight
     * moves: {@code v} is finite when its gradient's norm and its scale are ({@link
     * PerturbedTensor#checkedScalars()}), so no pass over {@code v} is needed.
     */
    static void checkFinite(NDArray loss, List<PerturbedTensor> tensors) {
        List<NDArray> values = new ArrayList<>(2 * tensors.size() + 1);
        values.add(loss.sum()); // a scalar, whatever the objective's loss shape
        for (PerturbedTensor tensor : tensors) {
            values.addAll(tensor.checkedScalars());
        }
        int bad = Guards.firstNonFiniteScalar(values);
        if (bad == 0) {
            throw new NonFiniteValueException(
                    "loss",
                    "loss must be finite but the objective at w on x_adv (the AWP pass) was NaN or"
                            + " infinite; the weights are unchanged. Training may have diverged:"
                            + " lower the learning rate, or check the data and the model's"
                            + " weights");
        }
        if (bad > 0) {
            String quantity = "v of " + tensors.get((bad - 1) / 2).name();
            throw new NonFiniteValueException(
                    quantity,
                    quantity
                            + " must be finite but contained NaN or infinity (its gradient"
                            + " overflowed); the weights are unchanged");
        }
    }

    /**
     * One forward and backward of the objective at the current weights, in training mode.
     *
     * @return the loss, attached to the inputs' scope
     */
    private static NDArray gradients(
            Block block,
            PassStore store,
            TrainingObjective objective,
            NDArray x,
            NDArray y,
            NDArray xAdv,
            List<NDArray> others,
            Guards.CheckedLabels labels) {
        try (GradientSuspension off = GradientSuspension.suspend(others);
                GradientCollector collector =
                        xAdv.getManager().getEngine().newGradientCollector()) {
            NDArray clean =
                    objective.usesCleanInputs()
                            ? block.forward(store, new NDList(x), true).head()
                            : null;
            NDArray adversarial = block.forward(store, new NDList(xAdv), true).head();
            labels.checkClasses(adversarial);
            NDArray loss = objective.loss(clean, adversarial, y);
            collector.backward(loss);
            return loss;
        }
    }

    static void zeroGradients(List<NDArray> arrays) {
        for (NDArray array : arrays) {
            try (NDArray gradient = array.getGradient()) {
                Guards.zero(gradient);
            }
        }
    }
}
