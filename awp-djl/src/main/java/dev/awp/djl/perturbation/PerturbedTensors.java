package dev.awp.djl.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.awp.perturbation.TensorSelection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Resolves which parameters of a block AWP perturbs. */
public final class PerturbedTensors {

    private PerturbedTensors() {}

    /**
     * The parameters a selection picks in a block: trainable, initialized layer weights ({@code
     * Parameter.Type.WEIGHT}) whose rank and name the selection accepts — convolution kernels and
     * linear weights by default; never biases, BatchNorm parameters or running statistics.
     *
     * @param block the initialized block
     * @param selection the selection
     * @return the selected parameters with their names, in the block's order (never empty)
     * @throws IllegalStateException if nothing is selected: AWP would silently do nothing
     */
    public static List<Pair<String, Parameter>> select(Block block, TensorSelection selection) {
        List<Pair<String, Parameter>> selected = new ArrayList<>();
        int weights = 0;
        for (Pair<String, Parameter> entry : block.getParameters()) {
            Parameter parameter = entry.getValue();
            if (parameter.getType() != Parameter.Type.WEIGHT
                    || !parameter.requiresGradient()
                    || !parameter.isInitialized()) {
                continue;
            }
            weights++;
            NDArray array = parameter.getArray();
            if (selection.selects(entry.getKey(), array.getShape().dimension())) {
                selected.add(entry);
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalStateException(
                    "AWP found no tensor to perturb in model block "
                            + block.getClass().getName()
                            + " ("
                            + weights
                            + " initialized trainable WEIGHT parameters; selection "
                            + selection
                            + "). Initialize the block before training and check the selection's"
                            + " include/exclude patterns and minRank.");
        }
        return Collections.unmodifiableList(selected);
    }
}
