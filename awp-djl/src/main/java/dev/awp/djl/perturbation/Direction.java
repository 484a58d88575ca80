package dev.awp.djl.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.awp.attack.Attack;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.perturbation.PerturbationDirection;
import dev.awp.perturbation.WeightPerturbation;
import java.util.List;
import java.util.function.Function;

/**
 * Where the weight gradient that {@code v} is built from comes from: the engine side of a {@link
 * PerturbationDirection}, one per {@link AwpOptimizer}. It decides the target the training attack
 * runs on and computes every {@code v}, checked finite, before {@code w += v}.
 */
interface Direction {

    /**
     * The direction a specification names.
     *
     * @param spec the weight perturbation
     * @param selection the tensors the specification picks in a block (chosen once per block)
     */
    static Direction of(
            WeightPerturbation spec, Function<Block, List<Pair<String, Parameter>>> selection) {
        return switch (spec.direction()) {
            case EXACT -> new ExactPass(spec);
            case LAST_ATTACK_STEP -> new LastAttackStep(spec.gamma(), selection);
        };
    }

    /**
     * The target the training attack runs on while AWP is active.
     *
     * @param target the model's own target
     * @param attack the training attack
     * @return {@code target}, or one that also leaves the gradients this direction reads
     */
    AttackTarget attackTarget(AttackTarget target, Attack attack);

    /**
     * Sets every tensor's {@code v}, checked finite before any weight moves, then {@code w += v};
     * the caller leaves each tensor pending its restore. If it throws, the weights are unchanged.
     */
    void compute(
            Block block,
            TrainingObjective objective,
            NDArray x,
            NDArray y,
            NDArray xAdv,
            List<PerturbedTensor> tensors);
}
