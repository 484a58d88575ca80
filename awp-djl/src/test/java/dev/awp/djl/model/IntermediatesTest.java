package dev.awp.djl.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sequences and residual blocks free their intermediate outputs as soon as the layers reading them
 * have run: the outputs and every gradient stay what the same layers compute when every output is
 * kept, bit for bit, and fewer arrays are left in the caller's scope.
 */
class IntermediatesTest {

    @ParameterizedTest(name = "training {0}")
    @ValueSource(booleans = {false, true})
    void should_compute_the_same_values_and_gradients_while_keeping_fewer_arrays(boolean training) {
        Block net = SmallCnn.builder().setNumClasses(10).optWidth(4).optHiddenUnits(8).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            // the same children, chained by DJL's sequence, which keeps every intermediate array
            SequentialBlock keeping = new SequentialBlock();
            for (Pair<String, Block> child : net.getChildren()) {
                keeping.add(child.getValue());
            }
            NDArray x = manager.randomUniform(0, 1, new Shape(6, 3, 32, 32));

            NDArray last =
                    net.getParameters().get(net.getParameters().size() - 1).getValue().getArray();
            Pass freeing = pass(net, x, training, last);
            Pass kept = pass(keeping, x, training, last);

            assertThat(freeing.logits).isEqualTo(kept.logits);
            assertThat(freeing.inputGradient).isEqualTo(kept.inputGradient);
            assertThat(freeing.weightGradient).isEqualTo(kept.weightGradient);
            assertThat(freeing.arraysLeft).isLessThan(kept.arraysLeft);
        }
    }

    @ParameterizedTest(name = "training {0}, shortcut {1}, dropout {2}")
    @CsvSource({
        "false, true, 0",
        "true, true, 0",
        "false, false, 0",
        "true, false, 0",
        "false, false, 0.3"
    })
    void should_compute_a_residual_block_as_its_layers_do_when_every_output_is_kept(
            boolean training, boolean withShortcut, float dropout) {
        PreActBlock block = new PreActBlock(4, withShortcut ? 8 : 4, withShortcut ? 2 : 1, dropout);
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 8, 8));
            NDArray x = manager.randomUniform(-1, 1, new Shape(3, 4, 8, 8));
            // the block's formula, every output kept (dropout is the identity in inference)
            Block byHand =
                    new LambdaParts(child(block, "bn1"), child(block, "conv1"))
                            .then(child(block, "bn2"), child(block, "conv2"))
                            .shortcut(withShortcut ? child(block, "shortcut") : null);

            NDArray weight = child(block, "conv1").getParameters().get("weight").getArray();
            Pass freeing = pass(block, x, training && dropout == 0, weight);
            Pass kept = pass(byHand, x, training && dropout == 0, weight);

            assertThat(freeing.logits).isEqualTo(kept.logits);
            assertThat(freeing.inputGradient).isEqualTo(kept.inputGradient);
            assertThat(freeing.weightGradient).isEqualTo(kept.weightGradient);
            assertThat(freeing.arraysLeft).isLessThan(kept.arraysLeft);
        }
    }

    /** The child of {@code block} named {@code name} (DJL prefixes the names with their order). */
    private static Block child(Block block, String name) {
        for (Pair<String, Block> child : block.getChildren()) {
            if (child.getKey().endsWith(name)) {
                return child.getValue();
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** PreActBlock's formula from its own layers, keeping every intermediate output. */
    private static final class LambdaParts extends ai.djl.nn.AbstractBlock {
        private final Block bn1;
        private final Block conv1;
        private Block bn2;
        private Block conv2;
        private Block shortcut;

        LambdaParts(Block bn1, Block conv1) {
            this.bn1 = bn1;
            this.conv1 = conv1;
        }

        LambdaParts then(Block bn2, Block conv2) {
            this.bn2 = bn2;
            this.conv2 = conv2;
            return this;
        }

        LambdaParts shortcut(Block shortcut) {
            this.shortcut = shortcut;
            return this;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store,
                NDList inputs,
                boolean training,
                ai.djl.util.PairList<String, Object> params) {
            NDList a = ai.djl.nn.Activation.relu(bn1.forward(store, inputs, training, params));
            NDList h = conv1.forward(store, a, training, params);
            h = ai.djl.nn.Activation.relu(bn2.forward(store, h, training, params));
            NDArray out = conv2.forward(store, h, training, params).singletonOrThrow();
            NDArray residual =
                    shortcut == null
                            ? inputs.singletonOrThrow()
                            : shortcut.forward(store, a, training, params).singletonOrThrow();
            return new NDList(out.add(residual));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            throw new UnsupportedOperationException();
        }
    }

    private record Pass(
            float[] logits, float[] inputGradient, float[] weightGradient, int arraysLeft) {}

    /** One forward and backward; {@code weight} is a weight of the block whose gradient is read. */
    private static Pass pass(Block block, NDArray x, boolean training, NDArray weight) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray leaf = x.duplicate();
            leaf.attach(scope);
            leaf.setRequiresGradient(true);
            ParameterStore store = new ParameterStore(scope, false);
            float[] logits;
            int arrays;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = block.forward(store, new NDList(leaf), training).singletonOrThrow();
                logits = out.toFloatArray();
                arrays = scope.getManagedArrays().size();
                collector.backward(out.square().sum());
            }
            float[] gradient = weight.getGradient().toFloatArray();
            weight.getGradient().subi(weight.getGradient());
            return new Pass(logits, leaf.getGradient().toFloatArray(), gradient, arrays);
        }
    }
}
