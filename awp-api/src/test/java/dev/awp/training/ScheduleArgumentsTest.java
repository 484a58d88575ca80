package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The argument checks every built-in schedule applies. */
class ScheduleArgumentsTest {

    @Nested
    class Validation {
        static Stream<Arguments> invalidArguments() {
            return Stream.of(
                    invalid(
                            "zero base learning rate",
                            () -> ScheduleArguments.check(0, 0, 0, 10, 5),
                            "baseLearningRate",
                            "0.0"),
                    invalid(
                            "NaN base learning rate",
                            () -> ScheduleArguments.check(Double.NaN, 0, 0, 10, 5),
                            "baseLearningRate",
                            "NaN"),
                    invalid(
                            "zero total epochs",
                            () -> ScheduleArguments.check(0.1, 0, 0, 10, 0),
                            "totalEpochs",
                            "0"),
                    invalid(
                            "zero iterations per epoch",
                            () -> ScheduleArguments.check(0.1, 0, 0, 0, 5),
                            "iterationsPerEpoch",
                            "0"),
                    invalid(
                            "negative epoch",
                            () -> ScheduleArguments.check(0.1, -1, 0, 10, 5),
                            "epoch",
                            "-1"),
                    invalid(
                            "epoch equal to the total (epochs are 0-based)",
                            () -> ScheduleArguments.check(0.1, 5, 0, 10, 5),
                            "epoch",
                            "5"),
                    invalid(
                            "negative iteration",
                            () -> ScheduleArguments.check(0.1, 0, -1, 10, 5),
                            "iteration",
                            "-1"),
                    invalid(
                            "iteration equal to the iterations per epoch",
                            () -> ScheduleArguments.check(0.1, 0, 10, 10, 5),
                            "iteration",
                            "10"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidArguments")
        void should_reject_invalid_arguments(
                ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }

        @Test
        void should_accept_the_last_iteration_of_the_last_epoch() {
            assertThatCode(() -> ScheduleArguments.check(0.1, 4, 9, 10, 5))
                    .doesNotThrowAnyException();
        }
    }

    @Nested
    class BuiltInSchedules {
        static Stream<Arguments> schedules() {
            return Stream.of(
                    Arguments.of(Schedules.reference()),
                    Arguments.of(Schedules.tradesReference()),
                    Arguments.of(Schedules.cosine()),
                    Arguments.of(Schedules.constant()));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("schedules")
        void should_check_their_arguments(LearningRateSchedule schedule) {
            assertRejected(() -> schedule.learningRate(0.1, 200, 0, 391, 200), "epoch", "200");
        }
    }
}
