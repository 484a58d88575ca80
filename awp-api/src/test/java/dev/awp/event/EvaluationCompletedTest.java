package dev.awp.event;

import static dev.awp.event.EventFixtures.RUN;
import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.report.Accuracy;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EvaluationCompletedTest {

    private static EvaluationCompleted evaluation() {
        return EvaluationCompleted.builder()
                .training(RUN)
                .epoch(1)
                .cleanAccuracy(Accuracy.of(80, 100))
                .robustAccuracy(Accuracy.of(50, 100))
                .trainRobustAccuracy(Accuracy.of(60, 100))
                .build();
    }

    @Nested
    class Attributes {
        @Test
        void should_carry_the_accuracies_of_the_epoch() {
            EvaluationCompleted event = evaluation();
            assertThat(event.epoch()).isEqualTo(1);
            assertThat(event.cleanAccuracy()).isEqualTo(Accuracy.of(80, 100));
            assertThat(event.robustAccuracy()).isEqualTo(Accuracy.of(50, 100));
            assertThat(event.trainRobustAccuracy()).contains(Accuracy.of(60, 100));
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            EvaluationCompleted event = evaluation();
            return Stream.of(
                    invalid("negative epoch", () -> event.withEpoch(-1), "epoch", "-1"),
                    invalid("epoch past the run", () -> event.withEpoch(5), "epoch", "5"),
                    invalid(
                            "robust accuracy on another subset",
                            () -> event.withRobustAccuracy(Accuracy.of(50, 200)),
                            "robustAccuracy.total",
                            "200"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
