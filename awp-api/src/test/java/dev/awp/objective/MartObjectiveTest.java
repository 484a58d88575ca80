package dev.awp.objective;

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

class MartObjectiveTest {

    @Nested
    class Defaults {
        @Test
        void should_use_the_published_beta_6() {
            assertThat(MartObjective.builder().build().beta()).isEqualTo(6.0);
            assertThat(Objectives.mart().beta()).isEqualTo(6.0);
        }

        @Test
        void should_read_clean_inputs() {
            assertThat(Objectives.mart().usesCleanInputs()).isTrue();
        }

        @Test
        void should_name_itself_with_its_beta() {
            assertThat(Objectives.mart(3).name()).isEqualTo("MART(beta=3.0)");
        }

        @Test
        void should_accept_zero_beta() {
            assertThat(Objectives.mart(0).beta()).isEqualTo(0.0);
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid("negative beta", () -> Objectives.mart(-1), "beta", "-1.0"),
                    invalid("NaN beta", () -> Objectives.mart(Double.NaN), "beta", "NaN"),
                    invalid(
                            "infinite beta",
                            () -> Objectives.mart().withBeta(Double.POSITIVE_INFINITY),
                            "beta",
                            "Infinity"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
