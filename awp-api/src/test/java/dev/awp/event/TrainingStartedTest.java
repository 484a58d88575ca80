package dev.awp.event;

import static dev.awp.event.EventFixtures.RUN;
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

class TrainingStartedTest {

    @Nested
    class Attributes {
        @Test
        void should_start_at_epoch_0_with_an_empty_environment() {
            TrainingStarted started = TrainingStarted.builder().training(RUN).build();
            assertThat(started.training()).isEqualTo(RUN);
            assertThat(started.firstEpoch()).isZero();
            assertThat(started.environment()).isEmpty();
            assertThat(started.augmentation()).isEqualTo("none");
        }

        @Test
        void should_carry_the_augmentation_in_use() {
            TrainingStarted started =
                    TrainingStarted.builder().training(RUN).augmentation("horizontal flip").build();
            assertThat(started.augmentation()).isEqualTo("horizontal flip");
        }

        @Test
        void should_carry_a_resumed_start_and_the_environment() {
            TrainingStarted resumed =
                    TrainingStarted.builder()
                            .training(RUN)
                            .firstEpoch(4)
                            .putEnvironment("engine", "PyTorch")
                            .build();
            assertThat(resumed.firstEpoch()).isEqualTo(4);
            assertThat(resumed.environment()).containsEntry("engine", "PyTorch");
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            TrainingStarted started = TrainingStarted.builder().training(RUN).build();
            return Stream.of(
                    invalid(
                            "negative firstEpoch",
                            () -> started.withFirstEpoch(-1),
                            "firstEpoch",
                            "-1"),
                    invalid(
                            "firstEpoch past the run",
                            () -> started.withFirstEpoch(5),
                            "firstEpoch",
                            "5"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
