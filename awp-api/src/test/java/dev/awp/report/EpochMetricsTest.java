package dev.awp.report;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EpochMetricsTest {

    /** An epoch that was not evaluated. */
    static EpochMetrics trainingOnly() {
        return EpochMetrics.builder()
                .epoch(3)
                .learningRate(0.1)
                .trainLoss(1.25)
                .trainAdversarialAccuracy(Accuracy.of(20000, 50000))
                .awpActive(true)
                .elapsedSeconds(42.5)
                .build();
    }

    /** An evaluated epoch: 90% train robust, 50% validation robust. */
    static EpochMetrics evaluated() {
        // Set together: each withX(..) copy is checked on its own, and the two validation
        // accuracies must be present together.
        return EpochMetrics.builder()
                .from(trainingOnly())
                .cleanAccuracy(Accuracy.of(800, 1000))
                .robustAccuracy(Accuracy.of(500, 1000))
                .trainRobustAccuracy(Accuracy.of(900, 1000))
                .build();
    }

    @Nested
    class Attributes {
        @Test
        void should_keep_the_training_figures() {
            EpochMetrics metrics = trainingOnly();
            assertThat(metrics.epoch()).isEqualTo(3);
            assertThat(metrics.learningRate()).isEqualTo(0.1);
            assertThat(metrics.trainLoss()).isEqualTo(1.25);
            assertThat(metrics.trainAdversarialAccuracy().value()).isEqualTo(0.4);
            assertThat(metrics.awpActive()).isTrue();
            assertThat(metrics.elapsedSeconds()).isEqualTo(42.5);
        }

        @Test
        void should_have_no_evaluation_results_when_not_evaluated() {
            EpochMetrics metrics = trainingOnly();
            assertThat(metrics.cleanAccuracy()).isEmpty();
            assertThat(metrics.robustAccuracy()).isEmpty();
            assertThat(metrics.trainRobustAccuracy()).isEmpty();
        }
    }

    @Nested
    class RobustGap {
        @Test
        void should_subtract_validation_from_train_robust_accuracy() {
            assertThat(evaluated().robustGap())
                    .hasValueSatisfying(gap -> assertThat(gap).isCloseTo(0.4, within(1e-12)));
        }

        @Test
        void should_be_negative_when_validation_is_more_robust() {
            EpochMetrics metrics = evaluated().withTrainRobustAccuracy(Accuracy.of(450, 1000));
            assertThat(metrics.robustGap())
                    .hasValueSatisfying(gap -> assertThat(gap).isCloseTo(-0.05, within(1e-12)));
        }

        @Test
        void should_be_absent_without_the_train_subset() {
            EpochMetrics metrics =
                    EpochMetrics.builder()
                            .from(evaluated())
                            .trainRobustAccuracy(java.util.Optional.empty())
                            .build();
            assertThat(metrics.robustAccuracy()).isPresent();
            assertThat(metrics.robustGap()).isEmpty();
        }

        @Test
        void should_be_absent_when_not_evaluated() {
            assertThat(trainingOnly().robustGap()).isEmpty();
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            EpochMetrics metrics = trainingOnly();
            return Stream.of(
                    invalid("negative epoch", () -> metrics.withEpoch(-1), "epoch", "-1"),
                    invalid(
                            "negative learningRate",
                            () -> metrics.withLearningRate(-0.1),
                            "learningRate",
                            "-0.1"),
                    invalid(
                            "NaN learningRate",
                            () -> metrics.withLearningRate(Double.NaN),
                            "learningRate",
                            "NaN"),
                    invalid(
                            "NaN trainLoss",
                            () -> metrics.withTrainLoss(Double.NaN),
                            "trainLoss",
                            "NaN"),
                    invalid(
                            "infinite trainLoss",
                            () -> metrics.withTrainLoss(Double.POSITIVE_INFINITY),
                            "trainLoss",
                            "Infinity"),
                    invalid(
                            "negative elapsedSeconds",
                            () -> metrics.withElapsedSeconds(-1),
                            "elapsedSeconds",
                            "-1.0"),
                    invalid(
                            "robust accuracy without clean accuracy",
                            () -> metrics.withRobustAccuracy(Accuracy.of(500, 1000)),
                            "robustAccuracy",
                            "Optional[Accuracy{correct=500, total=1000}]"),
                    invalid(
                            "clean accuracy without robust accuracy",
                            () -> metrics.withCleanAccuracy(Accuracy.of(800, 1000)),
                            "robustAccuracy",
                            "Optional.empty"),
                    invalid(
                            "train robust accuracy without evaluation",
                            () -> metrics.withTrainRobustAccuracy(Accuracy.of(900, 1000)),
                            "trainRobustAccuracy",
                            "Optional[Accuracy{correct=900, total=1000}]"),
                    invalid(
                            "clean and robust accuracy on different subsets",
                            () -> evaluated().withRobustAccuracy(Accuracy.of(250, 500)),
                            "robustAccuracy.total",
                            "500"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
