package dev.awp.report;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.training.AdversarialTraining;
import dev.awp.training.Recipes;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TrainingReportTest {

    private static final AdversarialTraining FIVE_EPOCHS = Recipes.atAwp().withEpochs(5);

    private static EpochMetrics epoch(int epoch, int robustCorrect) {
        return EpochMetrics.builder()
                .from(EpochMetricsTest.trainingOnly())
                .epoch(epoch)
                .cleanAccuracy(Accuracy.of(800, 1000))
                .robustAccuracy(Accuracy.of(robustCorrect, 1000))
                .build();
    }

    /** Epochs 0–2, best robust accuracy at epoch 1. */
    private static TrainingReport threeEpochs() {
        return TrainingReport.builder()
                .training(FIVE_EPOCHS)
                .addEpochs(epoch(0, 400), epoch(1, 520), epoch(2, 500))
                .bestEpoch(1)
                .bestRobustAccuracy(Accuracy.of(520, 1000))
                .totalSeconds(120)
                .putEnvironment("djl.version", "0.36.0")
                .build();
    }

    @Nested
    class Attributes {
        @Test
        void should_keep_the_specification_and_the_epochs_in_order() {
            TrainingReport report = threeEpochs();
            assertThat(report.training()).isEqualTo(FIVE_EPOCHS);
            assertThat(report.epochs()).extracting(EpochMetrics::epoch).containsExactly(0, 1, 2);
        }

        @Test
        void should_keep_the_best_epoch_and_the_environment() {
            TrainingReport report = threeEpochs();
            assertThat(report.bestEpoch()).contains(1);
            assertThat(report.bestRobustAccuracy()).contains(Accuracy.of(520, 1000));
            assertThat(report.environment()).isEqualTo(Map.of("djl.version", "0.36.0"));
            assertThat(report.totalSeconds()).isEqualTo(120.0);
            assertThat(report.augmentation()).isEqualTo("none");
            assertThat(report.withAugmentation("zero-pad 4, random crop").augmentation())
                    .isEqualTo("zero-pad 4, random crop");
        }

        @Test
        void should_accept_a_run_without_evaluation_or_epochs() {
            TrainingReport empty =
                    TrainingReport.builder().training(FIVE_EPOCHS).totalSeconds(0).build();
            assertThat(empty.epochs()).isEmpty();
            assertThat(empty.bestEpoch()).isEmpty();
            assertThat(empty.environment()).isEmpty();
        }

        @Test
        void should_accept_a_resumed_run_starting_after_epoch_0() {
            TrainingReport resumed =
                    TrainingReport.builder()
                            .training(FIVE_EPOCHS)
                            .addEpochs(epoch(3, 500), epoch(4, 510))
                            .totalSeconds(60)
                            .build();
            assertThat(resumed.epochs()).hasSize(2);
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            TrainingReport report = threeEpochs();
            return Stream.of(
                    invalid(
                            "negative totalSeconds",
                            () -> report.withTotalSeconds(-1),
                            "totalSeconds",
                            "-1.0"),
                    invalid(
                            "an epoch skipped",
                            () -> report.withEpochs(epoch(0, 400), epoch(2, 500)),
                            "epochs[1].epoch",
                            "2"),
                    invalid(
                            "epochs out of order",
                            () -> report.withEpochs(epoch(1, 520), epoch(0, 400)),
                            "epochs[1].epoch",
                            "0"),
                    invalid(
                            "an epoch past the end of the run",
                            () -> report.withEpochs(epoch(4, 400), epoch(5, 400)),
                            "epochs[1].epoch",
                            "5"),
                    invalid(
                            "best epoch without its accuracy",
                            () ->
                                    TrainingReport.builder()
                                            .from(report)
                                            .bestRobustAccuracy(java.util.Optional.empty())
                                            .build(),
                            "bestRobustAccuracy",
                            "Optional.empty"),
                    invalid(
                            "best epoch out of the run",
                            () -> report.withBestEpoch(5),
                            "bestEpoch",
                            "5"),
                    invalid(
                            "best accuracy not the best epoch's",
                            () -> report.withBestRobustAccuracy(Accuracy.of(500, 1000)),
                            "bestRobustAccuracy",
                            "Optional[Accuracy{correct=500, total=1000}]"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
