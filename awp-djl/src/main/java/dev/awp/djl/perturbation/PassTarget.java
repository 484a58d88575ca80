package dev.awp.djl.perturbation;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.awp.djl.internal.StatisticsProxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The block the AWP pass runs through and where its gradients land: the model itself, or, for a
 * block whose BatchNorm statistics are not DJL parameters (TorchScript), its {@link StatisticsProxy
 * proxy}, as the reference does; the gradients are then read from the proxy's copies.
 */
abstract class PassTarget {

    private final List<NDArray> trainable;
    private final List<NDArray> others;
    private final List<NDArray> sources;

    private PassTarget(List<NDArray> trainable, List<NDArray> others, List<NDArray> sources) {
        this.trainable = trainable;
        this.others = others;
        this.sources = sources;
    }

    /** The target for a pass over {@code block} that perturbs {@code tensors}. */
    static PassTarget of(Block block, List<PerturbedTensor> tensors) {
        List<NDArray> trainable = new ArrayList<>();
        List<NDArray> others = new ArrayList<>();
        Set<String> perturbedIds = new HashSet<>();
        for (PerturbedTensor tensor : tensors) {
            perturbedIds.add(tensor.id());
        }
        for (Parameter parameter : block.getParameters().values()) {
            if (parameter.requiresGradient() && parameter.isInitialized()) {
                trainable.add(parameter.getArray());
                if (!perturbedIds.contains(parameter.getId())) {
                    others.add(parameter.getArray());
                }
            }
        }
        if (block instanceof StatisticsProxy proxied) {
            return Proxied.of(proxied, tensors, trainable);
        }
        List<NDArray> sources = new ArrayList<>(tensors.size());
        for (PerturbedTensor tensor : tensors) {
            sources.add(tensor.weight());
        }
        return new PassTarget(trainable, others, sources) {
            @Override
            Block block(int step) {
                return block;
            }

            @Override
            List<NDArray> zeroedAfterPass() {
                return List.of(); // the pass writes the perturbed weights' gradients to leaves
            }
        };
    }

    /** The block to run ascent step {@code step} through, its parameters equal to the model's. */
    abstract Block block(int step);

    /**
     * The arrays whose gradients the pass fills whatever the parameter store serves (all of a
     * proxy's); {@link ExactPass} zeroes them after the pass, with the gradients of perturbed
     * weights that were not read through its {@link PassStore}.
     */
    abstract List<NDArray> zeroedAfterPass();

    /** Every trainable array whose gradient the pass may fill: all are zeroed if it throws. */
    final List<NDArray> trainable() {
        return trainable;
    }

    /** The pass block's trainable arrays that are not perturbed: their gradients are suspended. */
    final List<NDArray> others() {
        return others;
    }

    /** Where the gradient of the {@code i}-th perturbed tensor lands. */
    final NDArray source(int i) {
        return sources.get(i);
    }

    /** The pass on a {@link StatisticsProxy}: synchronized before every ascent step. */
    private static final class Proxied extends PassTarget {
        private final StatisticsProxy proxied;
        private final Block pass;

        private Proxied(
                StatisticsProxy proxied,
                Block pass,
                List<NDArray> trainable,
                List<NDArray> others,
                List<NDArray> sources) {
            super(trainable, others, sources);
            this.proxied = proxied;
            this.pass = pass;
        }

        static Proxied of(
                StatisticsProxy proxied, List<PerturbedTensor> tensors, List<NDArray> trainable) {
            Block pass = proxied.syncedProxy();
            Set<String> perturbedNames = new HashSet<>();
            for (PerturbedTensor tensor : tensors) {
                perturbedNames.add(tensor.name());
            }
            Map<String, NDArray> copies = new HashMap<>();
            List<NDArray> others = new ArrayList<>();
            for (Pair<String, Parameter> entry : pass.getParameters()) {
                Parameter parameter = entry.getValue();
                if (parameter.requiresGradient() && parameter.isInitialized()) {
                    trainable.add(parameter.getArray());
                    copies.put(entry.getKey(), parameter.getArray());
                    if (!perturbedNames.contains(entry.getKey())) {
                        others.add(parameter.getArray());
                    }
                }
            }
            List<NDArray> sources = new ArrayList<>(tensors.size());
            for (PerturbedTensor tensor : tensors) {
                sources.add(requireNonNull(copies.get(tensor.name()), tensor.name()));
            }
            return new Proxied(proxied, pass, trainable, others, sources);
        }

        @Override
        List<NDArray> zeroedAfterPass() {
            return trainable();
        }

        @Override
        Block block(int step) {
            if (step > 0) {
                proxied.syncedProxy();
            }
            return pass;
        }
    }
}
