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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sequence frees the arrays its children pass on as soon as the next child has run: the outputs
 * and every gradient stay what a sequence keeping them all computes, bit for bit, and fewer arrays
 * are left in the caller's scope.
 */
class NamedSequenceTest {

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

            Pass freeing = pass(net, x, training);
            Pass kept = pass(keeping, x, training);

            assertThat(freeing.logits).isEqualTo(kept.logits);
            assertThat(freeing.inputGradient).isEqualTo(kept.inputGradient);
            assertThat(freeing.firstWeightGradient).isEqualTo(kept.firstWeightGradient);
            assertThat(freeing.arraysLeft).isLessThan(kept.arraysLeft);
        }
    }

    private record Pass(
            float[] logits, float[] inputGradient, float[] firstWeightGradient, int arraysLeft) {}

    private static Pass pass(Block block, NDArray x, boolean training) {
        NDArray weight = block.getParameters().get(1).getValue().getArray();
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
