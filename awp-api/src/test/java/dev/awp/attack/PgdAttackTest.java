package dev.awp.attack;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PgdAttackTest {

    private static PgdAttack pgd(int steps) {
        return PgdAttack.builder()
                .threatModel(ThreatModel.linf(8 / 255.0))
                .steps(steps)
                .stepSize(2 / 255.0)
                .build();
    }

    @Nested
    class Defaults {
        @Test
        void should_start_uniformly_in_the_ball() {
            assertThat(pgd(10).randomStart()).isEqualTo(RandomStart.UNIFORM);
        }

        @Test
        void should_use_the_trades_gaussian_std() {
            assertThat(pgd(10).gaussianStd()).isEqualTo(0.001);
        }

        @Test
        void should_run_once() {
            assertThat(pgd(10).restarts()).isEqualTo(1);
        }

        @Test
        void should_ascend_cross_entropy() {
            assertThat(pgd(10).loss()).isEqualTo(AttackLoss.crossEntropy());
        }

        @Test
        void should_query_batch_norm_in_inference_mode() {
            assertThat(pgd(10).batchNormMode()).isEqualTo(BatchNormMode.EVAL);
        }

        @Test
        void should_require_threat_model_steps_and_step_size() {
            assertThatIllegalStateException()
                    .isThrownBy(() -> PgdAttack.builder().build())
                    .withMessageContaining("threatModel")
                    .withMessageContaining("steps")
                    .withMessageContaining("stepSize");
        }
    }

    @Nested
    class Naming {
        @Test
        void should_name_pgd_by_its_steps() {
            assertThat(pgd(20).name()).isEqualTo("PGD-20");
        }

        @Test
        void should_name_cw_margin_attacks_cw() {
            assertThat(pgd(100).withLoss(AttackLoss.cwMargin(10)).name()).isEqualTo("CW-100");
        }

        @Test
        void should_rename_a_copy_with_other_steps() {
            assertThat(pgd(20).withSteps(50).name()).isEqualTo("PGD-50");
        }

        @Test
        void should_rename_a_copy_with_a_margin_loss() {
            assertThat(pgd(20).withLoss(AttackLoss.cwMargin(10)).name()).isEqualTo("CW-20");
        }

        @Test
        void should_keep_a_custom_name_in_copies() {
            PgdAttack named = pgd(20).withName("my-attack");
            assertThat(named.withSteps(50).name()).isEqualTo("my-attack");
        }

        @Test
        void should_correct_an_automatic_name_that_contradicts_the_steps() {
            assertThat(pgd(20).withName("PGD-7").name()).isEqualTo("PGD-20");
        }
    }

    @Nested
    class Parameters {
        @Test
        void should_describe_every_setting_in_order() {
            assertThat(pgd(20).parameters())
                    .containsExactly(
                            entry("steps", 20),
                            entry("stepSize", 2 / 255.0),
                            entry("randomStart", RandomStart.UNIFORM),
                            entry("restarts", 1),
                            entry("loss", AttackLoss.Kind.CROSS_ENTROPY),
                            entry("kappa", AttackLoss.crossEntropy().kappa()));
        }

        @Test
        void should_add_the_gaussian_std_with_a_gaussian_start() {
            assertThat(pgd(10).withRandomStart(RandomStart.GAUSSIAN).parameters())
                    .containsEntry("gaussianStd", 0.001);
            assertThat(pgd(10).parameters()).doesNotContainKey("gaussianStd");
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid("zero steps", () -> pgd(0), "steps", "0"),
                    invalid("negative steps", () -> pgd(-3), "steps", "-3"),
                    invalid("zero stepSize", () -> pgd(10).withStepSize(0), "stepSize", "0.0"),
                    invalid(
                            "negative stepSize",
                            () -> pgd(10).withStepSize(-0.5),
                            "stepSize",
                            "-0.5"),
                    invalid(
                            "infinite stepSize",
                            () -> pgd(10).withStepSize(Double.POSITIVE_INFINITY),
                            "stepSize",
                            "Infinity"),
                    invalid(
                            "zero gaussianStd",
                            () -> pgd(10).withGaussianStd(0),
                            "gaussianStd",
                            "0.0"),
                    invalid(
                            "NaN gaussianStd",
                            () -> pgd(10).withGaussianStd(Double.NaN),
                            "gaussianStd",
                            "NaN"),
                    invalid("zero restarts", () -> pgd(10).withRestarts(0), "restarts", "0"),
                    invalid(
                            "restarts without random start",
                            () -> pgd(10).withRandomStart(RandomStart.NONE).withRestarts(3),
                            "restarts",
                            "3"),
                    invalid("blank name", () -> pgd(10).withName("  "), "name", "'  '"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }

        @Test
        void should_accept_restarts_with_random_start() {
            assertThat(pgd(10).withRestarts(5).restarts()).isEqualTo(5);
        }
    }
}
