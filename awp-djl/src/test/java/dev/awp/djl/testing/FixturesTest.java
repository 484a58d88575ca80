package dev.awp.djl.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FixturesTest {

    private static final Fixtures.Node SPEC = Fixtures.load("spec_example.json");

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    @Nested
    class Arrays {

        @Test
        void should_load_a_tensor_with_its_shape_in_the_requested_data_type() {
            NDArray w1 = SPEC.node("params").array(manager, "W1", DataType.FLOAT64);
            assertThat(w1.getShape()).isEqualTo(new Shape(4, 3));
            assertThat(w1.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(w1.toDoubleArray())
                    .containsExactly(0.2, -0.1, 0.4, 0.3, 0.5, -0.2, -0.4, 0.1, 0.3, 0.1, 0.2, 0.1);

            NDArray w1f = SPEC.node("params").array(manager, "W1", DataType.FLOAT32);
            assertThat(w1f.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(w1f.getFloat(0, 0)).isEqualTo(0.2f);
        }

        @Test
        void should_load_labels_as_any_integer_or_floating_type() {
            assertThat(SPEC.array(manager, "y").getDataType()).isEqualTo(DataType.INT64);
            assertThat(SPEC.array(manager, "y", DataType.INT32).toIntArray())
                    .containsExactly(0, 2, 1, 2);
            assertThat(SPEC.array(manager, "y", DataType.FLOAT32).toFloatArray())
                    .containsExactly(0f, 2f, 1f, 2f);
            assertThat(SPEC.longs("y")).containsExactly(0, 2, 1, 2);
        }

        @Test
        void should_load_a_number_as_a_scalar_array() {
            NDArray loss = SPEC.array(manager, "loss_w", DataType.FLOAT64);
            assertThat(loss.getShape()).isEqualTo(new Shape());
            assertThat(loss.getDouble()).isEqualTo(SPEC.number("loss_w"));
        }

        @Test
        void should_load_every_tensor_of_an_object() {
            Fixtures.Node conv = Fixtures.load("conv_bn_step.json");
            Map<String, NDArray> initial = conv.node("initial").arrays(manager, DataType.FLOAT32);
            assertThat(initial.keySet())
                    .containsExactly(
                            "conv_weight",
                            "bn_gamma",
                            "bn_beta",
                            "bn_running_mean",
                            "bn_running_var",
                            "fc_weight",
                            "fc_bias");
            assertThat(initial.get("conv_weight").getShape()).isEqualTo(new Shape(4, 3, 3, 3));
            assertThat(
                            conv.node("after_running_stats_with_djl_momentum")
                                    .arrays(manager, DataType.FLOAT64))
                    .containsOnlyKeys("bn_running_mean", "bn_running_var");
        }

        @Test
        void should_refuse_non_integers_for_an_integer_type() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> SPEC.node("params").array(manager, "W1", DataType.INT64))
                    .withMessage(
                            "fixture spec_example.json: 'params.W1' holds a non-integer value 0.2");
        }
    }

    @Nested
    class Navigation {

        @Test
        void should_name_cases_by_their_name() {
            assertThat(Fixtures.load("losses.json").nodes("cases"))
                    .extracting(Fixtures.Node::toString)
                    .contains("moderate", "saturated", "three_classes");
        }

        @Test
        void should_name_the_missing_key_and_the_available_ones() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> SPEC.node("v").number("W3"))
                    .withMessage(
                            "fixture spec_example.json has no key 'v.W3'; keys here: [W1, W2]");
        }

        @Test
        void should_say_how_to_regenerate_a_missing_file() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> Fixtures.load("nope.json"))
                    .withMessageContaining("make_fixtures.py");
        }
    }
}
