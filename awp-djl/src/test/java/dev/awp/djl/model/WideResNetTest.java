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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WideResNetTest {

    private static Block wrn(int depth, int widen, int classes) {
        return WideResNet.builder()
                .setDepth(depth)
                .setWidenFactor(widen)
                .setNumClasses(classes)
                .build();
    }

    @Nested
    class Architecture {
        @ParameterizedTest(name = "WRN-{0}-{1}: {2} parameters, {3} perturbed tensors")
        @CsvSource({"34, 10, 46160474, 35", "28, 10, 36479194, 29"})
        void should_have_the_reference_sizes(int depth, int widen, long params, long perturbed) {
            Block net = wrn(depth, widen, 10);
            try (NDManager manager = NDManager.newBaseManager()) {
                net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));

                assertThat(ParameterCounts.trainable(net)).isEqualTo(params);
                assertThat(ParameterCounts.perturbed(net)).isEqualTo(perturbed);
                assertThat(net.getOutputShapes(new Shape[] {new Shape(5, 3, 32, 32)}))
                        .containsExactly(new Shape(5, 10));
            }
        }

        @Test
        void should_initialize_convolutions_with_kaiming_normal_fan_out_and_linear_bias_zero() {
            Block net = wrn(10, 4, 10);
            try (NDManager manager = NDManager.newBaseManager()) {
                net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
                // group3 convolution: 256 filters of 256×3×3, fan-out 256·9 → std √(2/2304)
                NDArray kernel =
                        net.getParameters().get("04group3_01block1_04conv2_weight").getArray();
                double std = Math.sqrt(kernel.pow(2).mean().getFloat());
                assertThat(std).isCloseTo(Math.sqrt(2.0 / 2304), withinPercent(3));
                assertThat(net.getParameters().values())
                        .filteredOn(p -> p.getType() == Parameter.Type.BIAS)
                        .singleElement()
                        .satisfies(p -> assertThat(p.getArray().abs().sum().getFloat()).isZero());
            }
        }
    }

    @Nested
    class Forward {
        @Test
        void should_produce_logits_in_training_and_inference_mode_with_dropout() {
            Block net =
                    WideResNet.builder()
                            .setDepth(10)
                            .setWidenFactor(1)
                            .setNumClasses(4)
                            .optDropout(0.3f)
                            .optNormalization(Normalization.cifar10())
                            .build();
            try (NDManager manager = NDManager.newBaseManager()) {
                net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
                NDArray x = manager.randomUniform(0, 1, new Shape(3, 3, 32, 32));
                ParameterStore store = new ParameterStore(manager, false);

                NDArray train = net.forward(store, new NDList(x), true).singletonOrThrow();
                NDArray eval1 = net.forward(store, new NDList(x), false).singletonOrThrow();
                NDArray eval2 = net.forward(store, new NDList(x), false).singletonOrThrow();

                assertThat(train.getShape()).isEqualTo(new Shape(3, 4));
                assertThat(eval1.getShape()).isEqualTo(new Shape(3, 4));
                assertThat(eval1.toFloatArray()).containsExactly(eval2.toFloatArray());
                // WRN-10-1 with 16 = 16·1 channels in group 1: identity shortcut there
                assertThat(net.getParameters().keys())
                        .filteredOn(name -> name.contains("shortcut"))
                        .hasSize(2);
            }
        }
    }

    @Nested
    class Validation {
        @ParameterizedTest(name = "depth {0}")
        @CsvSource({"4", "33", "0"})
        void should_reject_depths_not_of_the_form_6n_plus_4(int depth) {
            assertThatThrownBy(() -> WideResNet.builder().setDepth(depth))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("depth must be 6n + 4 with n >= 1 (e.g. 28, 34) but was " + depth);
        }

        @Test
        void should_reject_dropout_of_one() {
            assertThatThrownBy(() -> WideResNet.builder().optDropout(1f))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dropout must be in [0, 1) but was 1.0");
        }

        @Test
        void should_require_depth_widen_factor_and_classes() {
            assertThatThrownBy(() -> WideResNet.builder().setNumClasses(10).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("setDepth");
        }
    }

    private static org.assertj.core.data.Percentage withinPercent(double percent) {
        return org.assertj.core.data.Percentage.withPercentage(percent);
    }
}
