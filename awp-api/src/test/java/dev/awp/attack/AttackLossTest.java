package dev.awp.attack;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AttackLossTest {

    @Nested
    class Factories {
        @Test
        void should_build_cross_entropy_without_kappa() {
            AttackLoss loss = AttackLoss.crossEntropy();
            assertThat(loss.kind()).isEqualTo(AttackLoss.Kind.CROSS_ENTROPY);
            assertThat(loss.kappa()).isEqualTo(0.0);
        }

        @Test
        void should_build_cw_margin_with_kappa() {
            AttackLoss loss = AttackLoss.cwMargin(10);
            assertThat(loss.kind()).isEqualTo(AttackLoss.Kind.CW_MARGIN);
            assertThat(loss.kappa()).isEqualTo(10.0);
        }

        @Test
        void should_accept_cw_margin_with_zero_kappa() {
            assertThat(AttackLoss.cwMargin(0).kappa()).isEqualTo(0.0);
        }

        @Test
        void should_build_kl_to_clean_without_kappa() {
            AttackLoss loss = AttackLoss.klToClean();
            assertThat(loss.kind()).isEqualTo(AttackLoss.Kind.KL_TO_CLEAN);
            assertThat(loss.kappa()).isEqualTo(0.0);
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid("negative kappa", () -> AttackLoss.cwMargin(-1), "kappa", "-1.0"),
                    invalid("NaN kappa", () -> AttackLoss.cwMargin(Double.NaN), "kappa", "NaN"),
                    invalid(
                            "infinite kappa",
                            () -> AttackLoss.cwMargin(Double.POSITIVE_INFINITY),
                            "kappa",
                            "Infinity"),
                    invalid(
                            "kappa on cross-entropy",
                            () -> AttackLoss.crossEntropy().withKappa(1),
                            "kappa",
                            "1.0"),
                    invalid(
                            "kappa on KL to clean",
                            () -> AttackLoss.klToClean().withKappa(0.5),
                            "kappa",
                            "0.5"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
