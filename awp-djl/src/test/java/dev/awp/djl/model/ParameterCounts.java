package dev.awp.djl.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/** Counts the parameters of an initialized block the way the AWP paper and spec count them. */
final class ParameterCounts {

    private ParameterCounts() {}

    /** Scalars in parameters that require gradients (BatchNorm running statistics excluded). */
    static long trainable(Block block) {
        return block.getParameters().values().stream()
                .filter(Parameter::requiresGradient)
                .mapToLong(p -> p.getArray().size())
                .sum();
    }

    /** Weight tensors of rank ≥ 2: the convolution kernels and linear matrices AWP perturbs. */
    static long perturbed(Block block) {
        return block.getParameters().values().stream()
                .filter(p -> p.getType() == Parameter.Type.WEIGHT)
                .filter(p -> p.getArray().getShape().dimension() >= 2)
                .count();
    }
}
