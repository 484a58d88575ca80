package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.attack.Attacks;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EvaluationPlanTest {

    private static final EvaluationPlan DEFAULTS = EvaluationPlan.builder().build();

    @Nested
    class Defaults {
        @Test
        void should_evaluate_every_epoch() {
            assertThat(DEFAULTS.everyEpochs()).isEqualTo(1);
        }

        @Test
        void should_use_1000_validation_and_1000_training_examples() {
            assertThat(DEFAULTS.subsetSize()).isEqualTo(1000);
            assertThat(DEFAULTS.trainSubsetSize()).isEqualTo(1000);
        }

        @Test
        void should_draw_subsets_with_seed_0() {
            assertThat(DEFAULTS.subsetSeed()).isZero();
        }

        @Test
        void should_attack_with_pgd20() {
            assertThat(DEFAULTS.attack()).isEqualTo(Attacks.pgd20());
        }

        @Test
        void should_accept_no_training_subset() {
            assertThat(DEFAULTS.withTrainSubsetSize(0).trainSubsetSize()).isZero();
        }
    }

    @Nested
    class Timing {
        private final EvaluationPlan everyFive = DEFAULTS.withEveryEpochs(5);

        @Test
        void should_evaluate_after_every_period() {
            assertThat(everyFive.evaluatesAt(4, 12)).isTrue();
            assertThat(everyFive.evaluatesAt(9, 12)).isTrue();
        }

        @Test
        void should_skip_epochs_between_periods() {
            assertThat(everyFive.evaluatesAt(0, 12)).isFalse();
            assertThat(everyFive.evaluatesAt(5, 12)).isFalse();
            assertThat(everyFive.evaluatesAt(10, 12)).isFalse();
        }

        @Test
        void should_always_evaluate_the_last_epoch() {
            assertThat(everyFive.evaluatesAt(11, 12)).isTrue();
        }

        @Test
        void should_evaluate_every_epoch_by_default() {
            for (int epoch = 0; epoch < 3; epoch++) {
                assertThat(DEFAULTS.evaluatesAt(epoch, 3)).isTrue();
            }
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid(
                            "zero everyEpochs",
                            () -> DEFAULTS.withEveryEpochs(0),
                            "everyEpochs",
                            "0"),
                    invalid("zero subsetSize", () -> DEFAULTS.withSubsetSize(0), "subsetSize", "0"),
                    invalid(
                            "negative trainSubsetSize",
                            () -> DEFAULTS.withTrainSubsetSize(-1),
                            "trainSubsetSize",
                            "-1"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
