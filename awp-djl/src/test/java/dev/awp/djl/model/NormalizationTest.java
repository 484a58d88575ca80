package dev.awp.djl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    @Nested
    class Forward {
        @Test
        void should_standardize_each_channel() {
            Normalization norm = Normalization.of(new double[] {0.5, 0.25}, new double[] {0.5, 2});
            try (NDManager manager = NDManager.newBaseManager()) {
                // (B=1, C=2, H=1, W=2)
                NDArray x = manager.create(new float[] {1, 0, 0.25f, 4.25f}, new Shape(1, 2, 1, 2));
                NDArray y =
                        norm.forward(new ParameterStore(manager, false), new NDList(x), false)
                                .singletonOrThrow();

                assertThat(y.getShape()).isEqualTo(new Shape(1, 2, 1, 2));
                assertThat(y.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(y.toFloatArray()).containsExactly(1f, -1f, 0f, 2f);
            }
        }

        @Test
        void should_keep_the_input_data_type_and_accept_unbatched_images() {
            Normalization norm = Normalization.cifar10();
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray x = manager.ones(new Shape(3, 2, 2), DataType.FLOAT64);
                NDArray y =
                        norm.forward(new ParameterStore(manager, false), new NDList(x), false)
                                .singletonOrThrow();

                assertThat(y.getDataType()).isEqualTo(DataType.FLOAT64);
                assertThat(y.getDouble(0, 0, 0)).isCloseTo((1 - 0.4914) / 0.2471, within(1e-12));
                assertThat(y.getDouble(2, 1, 1)).isCloseTo((1 - 0.4465) / 0.2616, within(1e-12));
            }
        }

        @Test
        void should_leave_only_its_output_in_the_input_manager() {
            Normalization norm = Normalization.cifar10();
            try (NDManager manager = NDManager.newBaseManager();
                    NDManager batch = manager.newSubManager()) {
                NDArray x = batch.randomUniform(0, 1, new Shape(2, 3, 4, 4));
                ParameterStore store = new ParameterStore(manager, false);
                int before = batch.getManagedArrays().size();

                norm.forward(store, new NDList(x), true);

                assertThat(batch.getManagedArrays()).hasSize(before + 1);
                assertThat(manager.getManagedArrays()).hasSize(before + 1);
            }
        }

        @Test
        void should_pass_input_gradients_scaled_by_one_over_std() {
            Normalization norm = Normalization.of(new double[] {0, 0}, new double[] {0.5, 4});
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray x = manager.ones(new Shape(1, 2, 1, 1));
                x.setRequiresGradient(true);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray y =
                            norm.forward(new ParameterStore(manager, false), new NDList(x), true)
                                    .singletonOrThrow();
                    collector.backward(y.sum());
                }
                assertThat(x.getGradient().toFloatArray()).containsExactly(2f, 0.25f);
            }
        }

        @Test
        void should_have_no_parameters() {
            assertThat(Normalization.cifar10().getParameters().isEmpty()).isTrue();
        }
    }

    @Nested
    class Validation {
        @Test
        void should_reject_a_non_positive_std() {
            assertThatThrownBy(() -> Normalization.of(new double[] {0, 0}, new double[] {1, 0}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("std must be finite and > 0 but was [1.0, 0.0]");
        }

        @Test
        void should_reject_mismatched_lengths() {
            assertThatThrownBy(() -> Normalization.of(new double[] {0, 0}, new double[] {1}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("std must have as many channels as mean (2) but was [1.0]");
        }

        @Test
        void should_reject_inputs_with_the_wrong_number_of_channels() {
            Normalization norm = Normalization.cifar10();
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray x = manager.zeros(new Shape(1, 1, 4, 4));
                assertThatThrownBy(
                                () ->
                                        norm.forward(
                                                new ParameterStore(manager, false),
                                                new NDList(x),
                                                false))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("input shape must be (..., 3, H, W) but was (1, 1, 4, 4)");
            }
        }

        @Test
        void should_copy_its_constants() {
            double[] mean = {0.1};
            Normalization norm = Normalization.of(mean, new double[] {1});
            mean[0] = 9;
            norm.mean()[0] = 7;
            assertThat(norm.mean()).containsExactly(0.1);
        }
    }
}
