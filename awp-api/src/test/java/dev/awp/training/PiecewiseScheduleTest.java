package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PiecewiseScheduleTest {

    /** CIFAR-10 at batch 128: 50000 / 128 rounded up. */
    private static final int N = 391;

    private static final int E = 200;

    @Nested
    class Defaults {
        @Test
        void should_change_at_half_and_three_quarters() {
            assertThat(PiecewiseSchedule.builder().build().boundaries()).containsExactly(0.5, 0.75);
        }

        @Test
        void should_divide_by_10_then_by_100() {
            assertThat(PiecewiseSchedule.builder().build().factors())
                    .containsExactly(1.0, 0.1, 0.01);
        }
    }

    @Nested
    class ReferenceValues {
        /**
         * t = epoch + (i + 1)/391 over E = 200: the last iteration of epoch 99 has t/E = 100/200 =
         * 0.5 exactly and already uses lr/10; likewise the last iteration of epoch 149 (t/E = 0.75)
         * uses lr/100.
         */
        static Stream<Arguments> points() {
            return Stream.of(
                    Arguments.of("epoch 0, first iteration", 0, 0, 0.1),
                    Arguments.of("epoch 98, last iteration", 98, 390, 0.1),
                    Arguments.of("epoch 99, first iteration", 99, 0, 0.1),
                    Arguments.of(
                            "epoch 99, second-to-last iteration (t/E = 0.49999)", 99, 389, 0.1),
                    Arguments.of("epoch 99, last iteration (t/E = 0.5)", 99, 390, 0.01),
                    Arguments.of("epoch 100, first iteration", 100, 0, 0.01),
                    Arguments.of("epoch 149, first iteration", 149, 0, 0.01),
                    Arguments.of("epoch 149, second-to-last iteration", 149, 389, 0.01),
                    Arguments.of("epoch 149, last iteration (t/E = 0.75)", 149, 390, 0.001),
                    Arguments.of("epoch 150, first iteration", 150, 0, 0.001),
                    Arguments.of("epoch 199, last iteration", 199, 390, 0.001));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("points")
        void should_follow_the_at_awp_reference(
                String point, int epoch, int iteration, double expected) {
            assertThat(Schedules.reference().learningRate(0.1, epoch, iteration, N, E))
                    .isCloseTo(expected, within(1e-15));
        }
    }

    @Nested
    class CustomBoundaries {
        @Test
        void should_apply_one_boundary() {
            PiecewiseSchedule halfway =
                    PiecewiseSchedule.builder().addBoundary(0.3).addFactors(1, 0.5).build();
            // 10 epochs of 10 iterations: t/E reaches 0.3 at the last iteration of epoch 2.
            assertThat(halfway.learningRate(0.2, 2, 8, 10, 10)).isEqualTo(0.2);
            assertThat(halfway.learningRate(0.2, 2, 9, 10, 10)).isEqualTo(0.1);
        }

        @Test
        void should_scale_a_constant_rate_without_boundaries() {
            PiecewiseSchedule half =
                    PiecewiseSchedule.builder().boundaries(List.of()).addFactor(0.5).build();
            assertThat(half.learningRate(0.2, 0, 0, 10, 10)).isEqualTo(0.1);
            assertThat(half.learningRate(0.2, 9, 9, 10, 10)).isEqualTo(0.1);
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            PiecewiseSchedule reference = Schedules.reference();
            return Stream.of(
                    invalid(
                            "boundary at 0",
                            () -> reference.withBoundaries(0, 0.75),
                            "boundaries[0]",
                            "0.0"),
                    invalid(
                            "boundary at 1",
                            () -> reference.withBoundaries(0.5, 1),
                            "boundaries[1]",
                            "1.0"),
                    invalid(
                            "negative boundary",
                            () -> reference.withBoundaries(-0.5, 0.75),
                            "boundaries[0]",
                            "-0.5"),
                    invalid(
                            "NaN boundary",
                            () -> reference.withBoundaries(0.5, Double.NaN),
                            "boundaries[1]",
                            "NaN"),
                    invalid(
                            "decreasing boundaries",
                            () -> reference.withBoundaries(0.75, 0.5),
                            "boundaries",
                            "[0.75, 0.5]"),
                    invalid(
                            "repeated boundary",
                            () -> reference.withBoundaries(0.5, 0.5),
                            "boundaries",
                            "[0.5, 0.5]"),
                    invalid(
                            "too few factors",
                            () -> reference.withFactors(1, 0.1),
                            "factors",
                            "[1.0, 0.1]"),
                    invalid(
                            "too many factors",
                            () -> reference.withBoundaries(0.5),
                            "factors",
                            "[1.0, 0.1, 0.01]"),
                    invalid(
                            "zero factor",
                            () -> reference.withFactors(1, 0, 0.01),
                            "factors[1]",
                            "0.0"),
                    invalid(
                            "negative factor",
                            () -> reference.withFactors(1, 0.1, -0.01),
                            "factors[2]",
                            "-0.01"),
                    invalid(
                            "infinite factor",
                            () -> reference.withFactors(Double.POSITIVE_INFINITY, 0.1, 0.01),
                            "factors[0]",
                            "Infinity"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
