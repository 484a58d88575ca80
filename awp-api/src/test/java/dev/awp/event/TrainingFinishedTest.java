package dev.awp.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.awp.report.TrainingReport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TrainingFinishedTest {

    @Nested
    class Attributes {
        @Test
        void should_carry_the_report_and_through_it_the_specification() {
            TrainingReport report = EventFixtures.report();
            TrainingFinished finished = TrainingFinished.of(report);
            assertThat(finished.report()).isSameAs(report);
            assertThat(finished.report().training()).isEqualTo(EventFixtures.RUN);
        }

        @Test
        void should_reject_a_missing_report() {
            assertThatNullPointerException()
                    .isThrownBy(() -> TrainingFinished.of(null))
                    .withMessageContaining("report");
        }
    }
}
