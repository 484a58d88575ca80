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

class CheckpointWrittenTest {

    private static CheckpointWritten best() {
        return CheckpointWritten.builder()
                .training(RUN)
                .epoch(3)
                .kind(CheckpointKind.BEST)
                .path("runs/at-awp/best")
                .build();
    }

    @Nested
    class Attributes {
        @Test
        void should_carry_epoch_kind_and_path() {
            CheckpointWritten event = best();
            assertThat(event.epoch()).isEqualTo(3);
            assertThat(event.kind()).isEqualTo(CheckpointKind.BEST);
            assertThat(event.path()).isEqualTo("runs/at-awp/best");
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid("negative epoch", () -> best().withEpoch(-1), "epoch", "-1"),
                    invalid("epoch past the run", () -> best().withEpoch(5), "epoch", "5"),
                    invalid("empty path", () -> best().withPath(""), "path", "''"),
                    invalid("blank path", () -> best().withPath("  "), "path", "'  '"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
