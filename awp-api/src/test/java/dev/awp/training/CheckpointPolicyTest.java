package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CheckpointPolicyTest {

    @Nested
    class Defaults {
        @Test
        void should_keep_best_and_last_and_no_periodic_checkpoints() {
            CheckpointPolicy policy = CheckpointPolicy.builder().build();
            assertThat(policy.keepBest()).isTrue();
            assertThat(policy.keepLast()).isTrue();
            assertThat(policy.everyEpochs()).isZero();
        }

        @Test
        void should_keep_nothing_with_none() {
            CheckpointPolicy none = CheckpointPolicy.none();
            assertThat(none.keepBest()).isFalse();
            assertThat(none.keepLast()).isFalse();
            assertThat(none.everyEpochs()).isZero();
        }
    }

    @Nested
    class Periodic {
        @Test
        void should_write_after_every_period() {
            CheckpointPolicy everyTen = CheckpointPolicy.builder().everyEpochs(10).build();
            assertThat(everyTen.writesPeriodicAt(9)).isTrue();
            assertThat(everyTen.writesPeriodicAt(19)).isTrue();
            assertThat(everyTen.writesPeriodicAt(10)).isFalse();
            assertThat(everyTen.writesPeriodicAt(0)).isFalse();
        }

        @Test
        void should_never_write_when_off() {
            CheckpointPolicy off = CheckpointPolicy.builder().build();
            assertThat(off.writesPeriodicAt(0)).isFalse();
            assertThat(off.writesPeriodicAt(99)).isFalse();
        }
    }

    @Nested
    class Validation {
        @Test
        void should_reject_a_negative_period() {
            assertRejected(
                    () -> CheckpointPolicy.builder().everyEpochs(-1).build(), "everyEpochs", "-1");
        }
    }
}
