package dev.awp.event;

import static dev.awp.event.EventFixtures.RUN;
import static dev.awp.event.EventFixtures.metrics;
import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class EpochEndedTest {

    private static EpochEnded ended(int epoch) {
        return EpochEnded.builder().training(RUN).metrics(metrics(epoch)).build();
    }

    @Nested
    class Attributes {
        @Test
        void should_expose_the_epoch_of_its_metrics() {
            assertThat(ended(2).epoch()).isEqualTo(2);
            assertThat(ended(2).metrics()).isEqualTo(metrics(2));
        }

        @Test
        void should_tell_the_last_epoch() {
            assertThat(ended(3).isLastEpoch()).isFalse();
            assertThat(ended(4).isLastEpoch()).isTrue();
        }
    }

    @Nested
    class Validation {
        @Test
        void should_reject_metrics_of_an_epoch_past_the_run() {
            assertRejected(() -> ended(5), "metrics.epoch", "5");
        }
    }
}
