package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConstantScheduleTest {

    @Nested
    class Values {
        @ParameterizedTest(name = "epoch {0}, iteration {1}")
        @CsvSource({"0, 0", "5, 17", "9, 99"})
        void should_return_the_base_rate(int epoch, int iteration) {
            assertThat(Schedules.constant().learningRate(0.05, epoch, iteration, 100, 10))
                    .isEqualTo(0.05);
        }

        @Test
        void should_be_a_singleton() {
            assertThat(Schedules.constant()).isSameAs(ConstantSchedule.of());
        }
    }

    @Nested
    class Validation {
        @Test
        void should_reject_an_iteration_past_the_epoch() {
            assertRejected(
                    () -> Schedules.constant().learningRate(0.05, 0, 100, 100, 10),
                    "iteration",
                    "100");
        }
    }
}
