package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SchedulesTest {

    @Nested
    class Reference {
        @Test
        void should_be_the_default_piecewise_schedule() {
            PiecewiseSchedule reference = Schedules.reference();
            assertThat(reference).isEqualTo(PiecewiseSchedule.builder().build());
            assertThat(reference.boundaries()).containsExactly(0.5, 0.75);
            assertThat(reference.factors()).containsExactly(1.0, 0.1, 0.01);
        }
    }

    @Nested
    class MultiStep {
        @Test
        void should_keep_the_milestones_in_order() {
            MultiStepSchedule schedule = Schedules.multiStep(0.2, 30, 60, 80);
            assertThat(schedule.milestones()).containsExactly(30, 60, 80);
            assertThat(schedule.factor()).isEqualTo(0.2);
        }

        @Test
        void should_map_trades_1_based_epochs_100_and_150_to_99_and_149() {
            MultiStepSchedule trades = Schedules.tradesReference();
            assertThat(trades.milestones()).containsExactly(99, 149);
            assertThat(trades.factor()).isEqualTo(0.1);
        }

        @Test
        void should_map_mart_1_based_epochs_75_and_90_to_74_and_89() {
            MultiStepSchedule mart = Schedules.martReference();
            assertThat(mart.milestones()).containsExactly(74, 89);
            assertThat(mart.factor()).isEqualTo(0.1);
        }

        @Test
        void should_reject_milestones_out_of_order() {
            assertRejected(() -> Schedules.multiStep(0.1, 10, 3), "milestones", "[10, 3]");
        }
    }

    @Nested
    class Others {
        @Test
        void should_anneal_cosine_to_zero() {
            assertThat(Schedules.cosine().minLearningRate()).isEqualTo(0.0);
        }

        @Test
        void should_provide_the_constant_schedule() {
            assertThat(Schedules.constant()).isInstanceOf(ConstantSchedule.class);
        }
    }
}
