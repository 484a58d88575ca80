package dev.awp.djl.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.awp.attack.Attack;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.internal.Guards;
import dev.awp.djl.internal.Scopes;
import dev.awp.djl.internal.WeightLeaves;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.perturbation.PerturbationDirection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@link PerturbationDirection#LAST_ATTACK_STEP}: the attack's target keeps the weight gradients of
 * the attack's last iteration, and {@code v} is built from them with the paper's formula, with no
 * pass of its own.
 */
final class LastAttackStep implements Direction {

    private final double gamma;
    private final Function<Block, List<Pair<String, Parameter>>> selection;
    private final Map<Block, WeightLeaves> leaves = new HashMap<>();

    LastAttackStep(double gamma, Function<Block, List<Pair<String, Parameter>>> selection) {
        this.gamma = gamma;
        this.selection = selection;
    }

    /**
     * The target whose last input-gradient computation of {@code attack} keeps the gradients of the
     * selected weights, in leaves of their own.
     *
     * @throws IllegalArgumentException if {@code attack} is not a PGD attack (a specification or an
     *     attack bound from one: its last iteration is call steps × restarts)
     */
    @Override
    public AttackTarget attackTarget(AttackTarget target, Attack attack) {
        Map<String, Object> parameters = attack.parameters();
        if (!"PGD".equals(attack.kind())
                || !(parameters.get("steps") instanceof Integer steps)
                || !(parameters.get("restarts") instanceof Integer restarts)) {
            throw new IllegalArgumentException(
                    "attack must be a PGD attack with the weight perturbation's direction"
                            + " LAST_ATTACK_STEP but was "
                            + attack.name()
                            + " ("
                            + attack.kind()
                            + "); use direction EXACT with other attacks");
        }
        return target.withWeightGradientsAt(steps * restarts, leaves(target.block()));
    }

    /**
     * The leaves for the tensors selected in {@code block}, where the attack's last iteration
     * leaves their gradients; one set per block.
     */
    private WeightLeaves leaves(Block block) {
        return leaves.computeIfAbsent(
                block,
                b -> {
                    Set<String> ids = new HashSet<>();
                    for (Pair<String, Parameter> entry : selection.apply(b)) {
                        ids.add(entry.getValue().getId());
                    }
                    return new WeightLeaves(ids);
                });
    }

    /**
     * {@code v} from the weight gradients the attack's last iteration left in {@code leaves},
     * checked finite before any weight moves; then {@code w += v}; the caller leaves each tensor
     * pending its restore. The model's gradient arrays are not touched; the leaves are released. No
     * pass runs: the block only names its leaves, and the objective is not used.
     */
    @Override
    public void compute(
            Block block,
            TrainingObjective objective,
            NDArray x,
            NDArray y,
            NDArray xAdv,
            List<PerturbedTensor> tensors) {
        WeightLeaves leaves = leaves(block);
        try (NDManager scope = xAdv.getManager().newSubManager()) {
            Scopes.borrow(scope, x, y, xAdv);
            Guards.checkFiniteInputs(x, xAdv, y);
            computeV(tensors, gamma, scope, leaves);
            ExactPass.checkFinite(scope.zeros(new Shape()), tensors);
        } finally {
            leaves.release();
        }
        tensors.forEach(PerturbedTensor::apply);
    }

    /**
     * Sets every tensor's {@code v = γ‖w‖ g / (‖g‖ + 1e-20)} from the gradient the attack left in
     * its leaf, without moving the weight.
     *
     * @throws IllegalStateException if a weight has no gradient, or all are zero: the attack did
     *     not run on {@link AwpOptimizer#attackTarget}
     */
    private static void computeV(
            List<PerturbedTensor> tensors, double gamma, NDManager scope, WeightLeaves leaves) {
        NDList norms = new NDList(tensors.size());
        for (PerturbedTensor tensor : tensors) {
            tensor.startAscent(gamma, 1, scope);
            NDArray gradient = leaves.takeGradient(tensor.id());
            if (gradient == null) {
                throw new IllegalStateException(
                        tensor.name()
                                + " has no gradient: with direction LAST_ATTACK_STEP, craft x_adv"
                                + " on awp.attackTarget(trainer, attack) so that the attack's last"
                                + " iteration computes the weights' gradients; the weights are"
                                + " unchanged");
            }
            tensor.ascend(gradient, true, 1, 1.0);
            norms.add(tensor.gradientNorm());
        }
        if (NDArrays.stack(norms).sum().getFloat() == 0f) {
            throw new IllegalStateException(
                    "the weights' gradients are zero, so the attack did not leave its last"
                            + " iteration's weight gradients (direction LAST_ATTACK_STEP): craft"
                            + " x_adv on awp.attackTarget(trainer, attack), as AwpEasyTrain and"
                            + " AdversarialTrainer do; the weights are unchanged");
        }
    }
}
