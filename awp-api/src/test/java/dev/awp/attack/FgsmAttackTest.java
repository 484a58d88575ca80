package dev.awp.attack;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FgsmAttackTest {

    private static FgsmAttack fgsm() {
        return FgsmAttack.builder().threatModel(ThreatModel.linf(8 / 255.0)).stepSize(0.1).build();
    }

    @Nested
    class Defaults {
        @Test
        void should_start_at_the_clean_input() {
            assertThat(fgsm().randomStart()).isEqualTo(RandomStart.NONE);
        }

        @Test
        void should_query_batch_norm_in_inference_mode() {
            assertThat(fgsm().batchNormMode()).isEqualTo(BatchNormMode.EVAL);
        }

        @Test
        void should_be_named_fgsm() {
            assertThat(fgsm().name()).isEqualTo("FGSM");
        }

        @Test
        void should_accept_uniform_start() {
            assertThat(fgsm().withRandomStart(RandomStart.UNIFORM).randomStart())
                    .isEqualTo(RandomStart.UNIFORM);
        }
    }

    @Nested
    class Parameters {
        @Test
        void should_describe_the_step_and_the_start() {
            assertThat(fgsm().parameters())
                    .containsExactly(
                            entry("stepSize", 0.1), entry("randomStart", RandomStart.NONE));
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid("zero stepSize", () -> fgsm().withStepSize(0), "stepSize", "0.0"),
                    invalid(
                            "negative stepSize",
                            () -> fgsm().withStepSize(-0.1),
                            "stepSize",
                            "-0.1"),
                    invalid(
                            "NaN stepSize",
                            () -> fgsm().withStepSize(Double.NaN),
                            "stepSize",
                            "NaN"),
                    invalid(
                            "Gaussian start",
                            () -> fgsm().withRandomStart(RandomStart.GAUSSIAN),
                            "randomStart",
                            "GAUSSIAN"),
                    invalid("blank name", () -> fgsm().withName(" "), "name", "' '"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
