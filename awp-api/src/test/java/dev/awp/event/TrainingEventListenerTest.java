package dev.awp.event;

import static dev.awp.event.EventFixtures.RUN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.awp.report.Accuracy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TrainingEventListenerTest {

    private static final TrainingStarted STARTED = TrainingStarted.builder().training(RUN).build();
    private static final EpochEnded ENDED =
            EpochEnded.builder().training(RUN).metrics(EventFixtures.metrics(0)).build();
    private static final EvaluationCompleted EVALUATED =
            EvaluationCompleted.builder()
                    .training(RUN)
                    .epoch(0)
                    .cleanAccuracy(Accuracy.of(80, 100))
                    .robustAccuracy(Accuracy.of(50, 100))
                    .build();
    private static final CheckpointWritten WRITTEN =
            CheckpointWritten.builder()
                    .training(RUN)
                    .epoch(0)
                    .kind(CheckpointKind.LAST)
                    .path("/tmp/last")
                    .build();
    private static final TrainingFinished FINISHED = TrainingFinished.of(EventFixtures.report());

    @Nested
    class Defaults {
        @Test
        void should_ignore_every_event_by_default() {
            TrainingEventListener silent = new TrainingEventListener() {};
            assertThatCode(
                            () -> {
                                silent.onTrainingStarted(STARTED);
                                silent.onEvaluationCompleted(EVALUATED);
                                silent.onCheckpointWritten(WRITTEN);
                                silent.onEpochEnded(ENDED);
                                silent.onTrainingFinished(FINISHED);
                            })
                    .doesNotThrowAnyException();
        }

        @Test
        void should_deliver_only_the_overridden_events() {
            List<Object> received = new ArrayList<>();
            TrainingEventListener epochsOnly =
                    new TrainingEventListener() {
                        @Override
                        public void onEpochEnded(EpochEnded event) {
                            received.add(event);
                        }
                    };
            epochsOnly.onTrainingStarted(STARTED);
            epochsOnly.onEpochEnded(ENDED);
            epochsOnly.onTrainingFinished(FINISHED);
            assertThat(received).containsExactly(ENDED);
        }
    }
}
