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

class WeightPerturbationTest {

    @Nested
    class Defaults {
        @Test
        void should_follow_the_reference() {
            WeightPerturbation awp = WeightPerturbation.of(0.01);
            assertThat(awp.gamma()).isEqualTo(0.01);
            assertThat(awp.warmupEpochs()).isZero();
            assertThat(awp.tensors()).isEqualTo(TensorSelection.layerWeights());
            assertThat(awp.stepOrder()).isEqualTo(StepOrder.UPDATE_THEN_RESTORE);
            assertThat(awp.ascentSteps()).isEqualTo(1);
            assertThat(awp.ascentStepSize()).isEqualTo(1.0);
            assertThat(awp.direction()).isEqualTo(PerturbationDirection.EXACT);
        }

        @Test
        void should_name_the_direction_in_its_description() {
            WeightPerturbation cheap =
                    WeightPerturbation.of(0.01)
                            .withDirection(PerturbationDirection.LAST_ATTACK_STEP);
            assertThat(cheap.toString()).contains("direction=LAST_ATTACK_STEP");
            assertThat(cheap).isNotEqualTo(WeightPerturbation.of(0.01));
        }

        @Test
        void should_disable_awp_with_none() {
            assertThat(WeightPerturbation.none().gamma()).isEqualTo(0.0);
        }
    }

    @Nested
    class Activity {
        @Test
        void should_never_be_active_with_zero_gamma() {
            WeightPerturbation none = WeightPerturbation.none();
            assertThat(none.isActive(0)).isFalse();
            assertThat(none.isActive(1000)).isFalse();
        }

        @Test
        void should_be_active_from_the_first_epoch_without_warmup() {
            assertThat(WeightPerturbation.of(0.01).isActive(0)).isTrue();
        }

        @Test
        void should_start_after_the_warmup_epochs() {
            WeightPerturbation awp = WeightPerturbation.of(0.005).withWarmupEpochs(10);
            assertThat(awp.isActive(9)).isFalse();
            assertThat(awp.isActive(10)).isTrue();
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid("negative gamma", () -> WeightPerturbation.of(-0.01), "gamma", "-0.01"),
                    invalid("NaN gamma", () -> WeightPerturbation.of(Double.NaN), "gamma", "NaN"),
                    invalid(
                            "infinite gamma",
                            () -> WeightPerturbation.of(Double.POSITIVE_INFINITY),
                            "gamma",
                            "Infinity"),
                    invalid(
                            "negative warmupEpochs",
                            () -> WeightPerturbation.of(0.01).withWarmupEpochs(-1),
                            "warmupEpochs",
                            "-1"),
                    invalid(
                            "zero ascentSteps",
                            () -> WeightPerturbation.of(0.01).withAscentSteps(0),
                            "ascentSteps",
                            "0"),
                    invalid(
                            "zero ascentStepSize",
                            () -> WeightPerturbation.of(0.01).withAscentStepSize(0),
                            "ascentStepSize",
                            "0.0"),
                    invalid(
                            "several ascent steps with the last attack step's direction",
                            () ->
                                    WeightPerturbation.of(0.01)
                                            .withDirection(PerturbationDirection.LAST_ATTACK_STEP)
                                            .withAscentSteps(3),
                            "ascentSteps",
                            "3"),
                    invalid(
                            "NaN ascentStepSize",
                            () -> WeightPerturbation.of(0.01).withAscentStepSize(Double.NaN),
                            "ascentStepSize",
                            "NaN"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
