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

class MultiStepScheduleTest {

    @Nested
    class Defaults {
        @Test
        void should_divide_by_10_at_each_milestone() {
            assertThat(MultiStepSchedule.builder().addMilestone(5).build().factor()).isEqualTo(0.1);
        }
    }

    @Nested
    class TradesReference {
        /** TRADES: ×0.1 from 1-based epoch 100 (0-based 99), ×0.01 from 150 (0-based 149). */
        static Stream<Arguments> epochs() {
            return Stream.of(
                    Arguments.of("epoch 0", 0, 0.1),
                    Arguments.of("epoch 98 (1-based 99)", 98, 0.1),
                    Arguments.of("epoch 99 (1-based 100)", 99, 0.01),
                    Arguments.of("epoch 148 (1-based 149)", 148, 0.01),
                    Arguments.of("epoch 149 (1-based 150)", 149, 0.001),
                    Arguments.of("epoch 199 (1-based 200)", 199, 0.001));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("epochs")
        void should_decay_at_the_trades_epochs(String name, int epoch, double expected) {
            assertThat(Schedules.tradesReference().learningRate(0.1, epoch, 0, 391, 200))
                    .isCloseTo(expected, within(1e-15));
        }
    }

    @Nested
    class MartReference {
        /** MART: ×0.1 from 1-based epoch 75 (0-based 74), ×0.01 from 90 (0-based 89). */
        static Stream<Arguments> epochs() {
            return Stream.of(
                    Arguments.of("epoch 73 (1-based 74)", 73, 0.1),
                    Arguments.of("epoch 74 (1-based 75)", 74, 0.01),
                    Arguments.of("epoch 88 (1-based 89)", 88, 0.01),
                    Arguments.of("epoch 89 (1-based 90)", 89, 0.001),
                    Arguments.of("epoch 99 (1-based 100)", 99, 0.001));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("epochs")
        void should_decay_at_the_mart_epochs(String name, int epoch, double expected) {
            assertThat(Schedules.martReference().learningRate(0.1, epoch, 0, 391, 100))
                    .isCloseTo(expected, within(1e-15));
        }
    }

    @Nested
    class PerEpoch {
        @Test
        void should_ignore_the_iteration() {
            MultiStepSchedule schedule = Schedules.multiStep(0.5, 2);
            assertThat(schedule.learningRate(0.2, 1, 99, 100, 4)).isEqualTo(0.2);
            assertThat(schedule.learningRate(0.2, 2, 0, 100, 4)).isEqualTo(0.1);
            assertThat(schedule.learningRate(0.2, 2, 99, 100, 4)).isEqualTo(0.1);
        }

        @Test
        void should_keep_the_rate_with_factor_1() {
            assertThat(Schedules.multiStep(1, 1, 2).learningRate(0.2, 3, 0, 10, 4)).isEqualTo(0.2);
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            MultiStepSchedule trades = Schedules.tradesReference();
            return Stream.of(
                    invalid("no milestones", () -> Schedules.multiStep(0.1), "milestones", "[]"),
                    invalid(
                            "milestone at epoch 0",
                            () -> Schedules.multiStep(0.1, 0, 5),
                            "milestones[0]",
                            "0"),
                    invalid(
                            "negative milestone",
                            () -> Schedules.multiStep(0.1, -5),
                            "milestones[0]",
                            "-5"),
                    invalid(
                            "repeated milestone",
                            () -> Schedules.multiStep(0.1, 5, 5),
                            "milestones",
                            "[5, 5]"),
                    invalid(
                            "decreasing milestones",
                            () -> trades.withMilestones(List.of(149, 99)),
                            "milestones",
                            "[149, 99]"),
                    invalid("zero factor", () -> trades.withFactor(0), "factor", "0.0"),
                    invalid("factor above 1", () -> trades.withFactor(1.5), "factor", "1.5"),
                    invalid(
                            "negative factor",
                            () -> Schedules.multiStep(-0.1, 5),
                            "factor",
                            "-0.1"),
                    invalid("NaN factor", () -> trades.withFactor(Double.NaN), "factor", "NaN"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
