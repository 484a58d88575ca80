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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreActResNet18Test {

    private NDManager manager;
    private Block net;

    @BeforeAll
    void build() {
        manager = NDManager.newBaseManager();
        net = PreActResNet18.builder().setNumClasses(10).build();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
    }

    @AfterAll
    void close() {
        manager.close();
    }

    @Nested
    class Architecture {
        @Test
        void should_have_the_reference_number_of_trainable_parameters() {
            assertThat(ParameterCounts.trainable(net)).isEqualTo(11_172_170L);
        }

        @Test
        void should_have_21_tensors_for_awp_to_perturb() {
            assertThat(ParameterCounts.perturbed(net)).isEqualTo(21);
        }

        @Test
        void should_use_shortcut_convolutions_only_where_stride_or_width_changes() {
            assertThat(net.getParameters().keys())
                    .filteredOn(name -> name.contains("shortcut"))
                    .containsExactly(
                            "03stage2_01block1_05shortcut_weight",
                            "04stage3_01block1_05shortcut_weight",
                            "05stage4_01block1_05shortcut_weight");
        }

        @Test
        void should_have_no_convolution_bias() {
            assertThat(net.getParameters().values())
                    .filteredOn(p -> p.getType() == Parameter.Type.BIAS)
                    .singleElement()
                    .satisfies(p -> assertThat(p.getArray().getShape()).isEqualTo(new Shape(10)));
        }

        @Test
        void should_map_32x32_images_to_logits() {
            assertThat(net.getOutputShapes(new Shape[] {new Shape(7, 3, 32, 32)}))
                    .containsExactly(new Shape(7, 10));
        }
    }

    @Nested
    class Forward {
        @Test
        void should_produce_logits_in_training_and_inference_mode() {
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.randomUniform(0, 1, new Shape(2, 3, 32, 32));
                ParameterStore store = new ParameterStore(scope, false);

                NDArray train = net.forward(store, new NDList(x), true).singletonOrThrow();
                NDArray eval = net.forward(store, new NDList(x), false).singletonOrThrow();

                assertThat(train.getShape()).isEqualTo(new Shape(2, 10));
                assertThat(eval.getShape()).isEqualTo(new Shape(2, 10));
                assertThat(train.isInfinite().any().getBoolean()).isFalse();
                assertThat(eval.isNaN().any().getBoolean()).isFalse();
            }
        }

        @Test
        void should_normalize_inputs_when_asked() {
            Block normalized =
                    PreActResNet18.builder()
                            .setNumClasses(3)
                            .optNormalization(Normalization.cifar10())
                            .build();
            try (NDManager scope = manager.newSubManager()) {
                normalized.initialize(scope, DataType.FLOAT32, new Shape(1, 3, 32, 32));
                assertThat(normalized.getChildren().keys().get(0)).isEqualTo("01normalization");
                NDArray x = scope.randomUniform(0, 1, new Shape(1, 3, 32, 32));
                NDArray y =
                        normalized
                                .forward(new ParameterStore(scope, false), new NDList(x), false)
                                .singletonOrThrow();
                assertThat(y.getShape()).isEqualTo(new Shape(1, 3));
            }
        }
    }

    @Nested
    class Validation {
        @Test
        void should_require_the_number_of_classes() {
            assertThatThrownBy(() -> PreActResNet18.builder().build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("setNumClasses");
        }

        @Test
        void should_reject_fewer_than_two_classes() {
            assertThatThrownBy(() -> PreActResNet18.builder().setNumClasses(1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("numClasses must be >= 2 but was 1");
        }
    }
}
