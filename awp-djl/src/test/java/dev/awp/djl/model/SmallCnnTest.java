package dev.awp.djl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SmallCnnTest {

    @Nested
    class Architecture {
        @Test
        void should_have_the_documented_size_with_defaults() {
            Block net = SmallCnn.builder().setNumClasses(10).build();
            try (NDManager manager = NDManager.newBaseManager()) {
                net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));

                assertThat(ParameterCounts.trainable(net)).isEqualTo(44_922L);
                assertThat(ParameterCounts.perturbed(net)).isEqualTo(7);
                assertThat(net.getOutputShapes(new Shape[] {new Shape(4, 3, 32, 32)}))
                        .containsExactly(new Shape(4, 10));
            }
        }

        @Test
        void should_scale_with_width_and_hidden_units() {
            Block net = SmallCnn.builder().setNumClasses(5).optWidth(8).optHiddenUnits(32).build();
            try (NDManager manager = NDManager.newBaseManager()) {
                net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
                // convs 3·8·9 + 8·8·9 + 8·16·9 + 16·16·9 + 16·32·9, BN 2·(8+8+16+16+32),
                // linear 32·32 + 32, linear 32·5 + 5
                long expected = 216 + 576 + 1152 + 2304 + 4608 + 160 + 1056 + 165;
                assertThat(ParameterCounts.trainable(net)).isEqualTo(expected);
            }
        }
    }

    @Nested
    class Forward {
        @Test
        void should_update_batchnorm_statistics_only_in_training_mode() {
            Block net = SmallCnn.builder().setNumClasses(10).build();
            try (NDManager manager = NDManager.newBaseManager()) {
                net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
                Parameter runningMean = net.getParameters().get("01stage1_02bn1_runningMean");
                NDArray x = manager.randomUniform(0, 1, new Shape(8, 3, 32, 32));
                ParameterStore store = new ParameterStore(manager, false);

                float[] before = runningMean.getArray().toFloatArray();
                NDArray eval = net.forward(store, new NDList(x), false).singletonOrThrow();
                float[] afterEval = runningMean.getArray().toFloatArray();
                NDArray train = net.forward(store, new NDList(x), true).singletonOrThrow();
                float[] afterTrain = runningMean.getArray().toFloatArray();

                assertThat(eval.getShape()).isEqualTo(new Shape(8, 10));
                assertThat(train.getShape()).isEqualTo(new Shape(8, 10));
                assertThat(afterEval).containsExactly(before);
                assertThat(afterTrain).isNotEqualTo(before);
            }
        }
    }

    @Test
    void should_require_the_number_of_classes() {
        assertThatThrownBy(() -> SmallCnn.builder().optWidth(4).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("numClasses must be set: call setNumClasses(..)");
        assertThatThrownBy(() -> SmallCnn.builder().optWidth(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("width must be >= 1 but was 0");
    }
}
