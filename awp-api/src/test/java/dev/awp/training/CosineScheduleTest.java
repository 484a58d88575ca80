package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** E = 10 epochs of N = 100 iterations, η = 0.1: p = (100·e + i)/1000. */
class CosineScheduleTest {

    @Nested
    class ToZero {
        static Stream<Arguments> points() {
            return Stream.of(
                    // p = 0: (1 + cos 0)/2 = 1
                    Arguments.of("first iteration", 0, 0, 0.1),
                    // p = 0.25: 0.1·(1 + √2/2)/2
                    Arguments.of("a quarter in", 2, 50, 0.1 * (1 + Math.sqrt(0.5)) / 2),
                    // p = 0.5: cos(π/2) = 0
                    Arguments.of("halfway", 5, 0, 0.05),
                    // p = 0.999: 0.1·(1 − cos(0.001π))/2 ≈ 0.1·(0.001π)²/4 = 2.4674e-7
                    Arguments.of("last iteration", 9, 99, 2.4674e-7));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("points")
        void should_anneal_from_the_base_rate(
                String point, int epoch, int iteration, double expected) {
            assertThat(Schedules.cosine().learningRate(0.1, epoch, iteration, 100, 10))
                    .isCloseTo(expected, within(1e-11));
        }

        @Test
        void should_decrease_at_every_iteration() {
            CosineSchedule cosine = Schedules.cosine();
            double previous = Double.POSITIVE_INFINITY;
            for (int epoch = 0; epoch < 10; epoch++) {
                for (int iteration = 0; iteration < 100; iteration++) {
                    double lr = cosine.learningRate(0.1, epoch, iteration, 100, 10);
                    assertThat(lr).isLessThan(previous).isGreaterThan(0.0);
                    previous = lr;
                }
            }
        }
    }

    @Nested
    class ToMinimum {
        @Test
        void should_default_the_minimum_to_zero() {
            assertThat(Schedules.cosine().minLearningRate()).isEqualTo(0.0);
        }

        @Test
        void should_anneal_toward_the_minimum() {
            CosineSchedule cosine = Schedules.cosine().withMinLearningRate(0.01);
            // halfway: 0.01 + (0.1 − 0.01)/2
            assertThat(cosine.learningRate(0.1, 5, 0, 100, 10)).isCloseTo(0.055, within(1e-15));
            assertThat(cosine.learningRate(0.1, 0, 0, 100, 10)).isCloseTo(0.1, within(1e-15));
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            CosineSchedule cosine = Schedules.cosine();
            return Stream.of(
                    invalid(
                            "negative minLearningRate",
                            () -> cosine.withMinLearningRate(-0.1),
                            "minLearningRate",
                            "-0.1"),
                    invalid(
                            "NaN minLearningRate",
                            () -> cosine.withMinLearningRate(Double.NaN),
                            "minLearningRate",
                            "NaN"),
                    invalid(
                            "infinite minLearningRate",
                            () -> cosine.withMinLearningRate(Double.POSITIVE_INFINITY),
                            "minLearningRate",
                            "Infinity"),
                    invalid(
                            "minLearningRate above the base rate",
                            () -> cosine.withMinLearningRate(0.2).learningRate(0.1, 0, 0, 100, 10),
                            "minLearningRate",
                            "0.2"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
