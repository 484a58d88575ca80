package dev.awp.perturbation;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TensorSelectionTest {

    @Nested
    class LayerWeights {
        private final TensorSelection selection = TensorSelection.layerWeights();

        @Test
        void should_have_min_rank_2_and_no_patterns() {
            assertThat(selection.minRank()).isEqualTo(2);
            assertThat(selection.include()).isEmpty();
            assertThat(selection.exclude()).isEmpty();
        }

        @Test
        void should_select_conv_kernels_and_linear_weights() {
            assertThat(selection.selects("conv1_weight", 4)).isTrue();
            assertThat(selection.selects("linear_weight", 2)).isTrue();
        }

        @Test
        void should_not_select_biases_or_batch_norm_parameters() {
            assertThat(selection.selects("linear_bias", 1)).isFalse();
            assertThat(selection.selects("bn1_gamma", 1)).isFalse();
            assertThat(selection.selects("bn1_runningMean", 1)).isFalse();
        }
    }

    @Nested
    class Patterns {
        @Test
        void should_select_only_included_names() {
            TensorSelection convs = TensorSelection.builder().include("conv").build();
            assertThat(convs.selects("block1_conv2_weight", 4)).isTrue();
            assertThat(convs.selects("fc_weight", 2)).isFalse();
        }

        @Test
        void should_drop_excluded_names() {
            TensorSelection noHead = TensorSelection.builder().exclude("^fc").build();
            assertThat(noHead.selects("fc_weight", 2)).isFalse();
            assertThat(noHead.selects("conv1_weight", 4)).isTrue();
        }

        @Test
        void should_still_require_the_minimum_rank() {
            TensorSelection convs = TensorSelection.builder().include("conv").build();
            assertThat(convs.selects("conv1_bias", 1)).isFalse();
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid(
                            "zero minRank",
                            () -> TensorSelection.builder().minRank(0).build(),
                            "minRank",
                            "0"),
                    invalid(
                            "invalid include pattern",
                            () -> TensorSelection.builder().include("conv[").build(),
                            "include",
                            "'conv['"),
                    invalid(
                            "invalid exclude pattern",
                            () -> TensorSelection.builder().exclude("(fc").build(),
                            "exclude",
                            "'(fc'"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
