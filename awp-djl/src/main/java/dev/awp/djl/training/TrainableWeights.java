package dev.awp.djl.training;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;
import dev.awp.djl.internal.Guards;
import dev.awp.training.NonFiniteValueException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A trainer's trainable parameters' live arrays, by name, in the block's order. */
final class TrainableWeights {

    private final List<String> names;
    private final List<NDArray> arrays;

    private TrainableWeights(List<String> names, List<NDArray> arrays) {
        this.names = names;
        this.arrays = arrays;
    }

    /** The trainer's trainable, initialized parameters. */
    static TrainableWeights of(Trainer trainer) {
        List<String> names = new ArrayList<>();
        List<NDArray> arrays = new ArrayList<>();
        for (Pair<String, Parameter> entry : trainer.getModel().getBlock().getParameters()) {
            Parameter parameter = entry.getValue();
            if (parameter.requiresGradient() && parameter.isInitialized()) {
                names.add(entry.getKey());
                arrays.add(parameter.getArray());
            }
        }
        return new TrainableWeights(names, Collections.unmodifiableList(arrays));
    }

    int size() {
        return arrays.size();
    }

    /** The live arrays, in the block's order. */
    List<NDArray> arrays() {
        return arrays;
    }

    /** The {@code i}-th parameter's name. */
    String name(int i) {
        return names.get(i);
    }

    /**
     * The update's loss and every trainable gradient must be finite before the optimizer steps: one
     * sum per gradient, one host read. Otherwise the gradients are zeroed and the step is not
     * taken; the caller's {@code AppliedPerturbation} then restores {@code w}.
     */
    void checkFiniteGradients(NDArray loss) {
        List<String> quantities = new ArrayList<>();
        List<NDArray> values = new ArrayList<>();
        quantities.add("loss");
        values.add(loss);
        List<NDArray> gradients = new ArrayList<>();
        try {
            for (int i = 0; i < arrays.size(); i++) {
                NDArray gradient = arrays.get(i).getGradient();
                gradients.add(gradient);
                quantities.add("gradient of " + names.get(i));
                values.add(gradient);
            }
            int bad = Guards.firstNonFinite(values);
            if (bad < 0) {
                return;
            }
            for (NDArray gradient : gradients) {
                Guards.zero(gradient);
            }
            String quantity = quantities.get(bad);
            throw new NonFiniteValueException(
                    quantity,
                    quantity
                            + " must be finite but was NaN or infinite in the update (at w + v"
                            + " when AWP perturbs); the optimizer did not step and the weights are"
                            + " unchanged. Training may have diverged: lower the learning rate, or"
                            + " check the data and the model's weights");
        } finally {
            for (NDArray gradient : gradients) {
                gradient.close();
            }
        }
    }
}
