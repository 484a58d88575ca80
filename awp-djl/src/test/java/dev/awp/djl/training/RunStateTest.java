package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RunStateTest {

    static EpochMetrics epoch(int epoch, Integer robustCorrect) {
        EpochMetrics.Builder metrics =
                EpochMetrics.builder()
                        .epoch(epoch)
                        .learningRate(0.1)
                        .trainLoss(1.0)
                        .trainAdversarialAccuracy(Accuracy.of(1, 2))
                        .awpActive(false)
                        .elapsedSeconds(1);
        if (robustCorrect != null) {
            metrics.cleanAccuracy(Accuracy.of(8, 10))
                    .robustAccuracy(Accuracy.of(robustCorrect, 10))
                    .trainRobustAccuracy(Accuracy.of(robustCorrect, 10));
        }
        return metrics.build();
    }

    @Nested
    class AfterEpoch {

        @Test
        void should_move_on_and_keep_the_strictly_better_robust_accuracy_as_best() {
            RunState state =
                    RunState.initial()
                            .afterEpoch(epoch(0, null), 1)
                            .afterEpoch(epoch(1, 4), 2)
                            .afterEpoch(epoch(2, 4), 3);

            assertThat(state.nextEpoch()).isEqualTo(3);
            assertThat(state.history()).hasSize(3);
            assertThat(state.best()).contains(new RunState.Best(1, Accuracy.of(4, 10)));
            assertThat(state.isBest(1)).isTrue();
            assertThat(state.isBest(2)).as("a tie is not a new best").isFalse();
            assertThat(state.afterEpoch(epoch(3, 5), 4).isBest(3)).isTrue();
            assertThat(state.elapsedSeconds()).isEqualTo(3);
        }
    }

    @Nested
    class Rollback {

        @Test
        void should_roll_back_position_history_and_best_but_keep_factor_retries_and_time() {
            RunState good = RunState.initial().afterEpoch(epoch(0, 3), 1);
            RunState failed = good.retried(0.5).afterEpoch(epoch(1, 6), 2).at(5);

            RunState rolled = failed.rolledBackTo(good);

            assertThat(rolled.nextEpoch()).isEqualTo(1);
            assertThat(rolled.history()).isEqualTo(good.history());
            assertThat(rolled.best()).isEqualTo(good.best());
            assertThat(rolled.retries()).isEqualTo(1);
            assertThat(rolled.learningRateFactor()).isEqualTo(0.5);
            assertThat(rolled.elapsedSeconds()).isEqualTo(5);
        }

        @Test
        void should_count_a_retry_and_multiply_the_factor() {
            RunState twice = RunState.initial().retried(0.5).retried(0.5);

            assertThat(twice.retries()).isEqualTo(2);
            assertThat(twice.learningRateFactor()).isEqualTo(0.25);
            assertThat(twice.best()).isEqualTo(Optional.empty());
        }
    }
}
