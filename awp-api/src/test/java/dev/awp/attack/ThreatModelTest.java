package dev.awp.attack;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ThreatModelTest {

    @Nested
    class Factories {
        @Test
        void should_build_linf_over_unit_interval() {
            ThreatModel linf = ThreatModel.linf(8 / 255.0);
            assertThat(linf.norm()).isEqualTo(Norm.LINF);
            assertThat(linf.epsilon()).isEqualTo(8 / 255.0);
            assertThat(linf.lowerBound()).isEqualTo(0.0);
            assertThat(linf.upperBound()).isEqualTo(1.0);
        }

        @Test
        void should_build_l2_over_unit_interval() {
            ThreatModel l2 = ThreatModel.l2(128 / 255.0);
            assertThat(l2.norm()).isEqualTo(Norm.L2);
            assertThat(l2.epsilon()).isEqualTo(128 / 255.0);
            assertThat(l2.lowerBound()).isEqualTo(0.0);
            assertThat(l2.upperBound()).isEqualTo(1.0);
        }

        @Test
        void should_default_to_linf_when_built() {
            assertThat(ThreatModel.builder().epsilon(0.1).build().norm()).isEqualTo(Norm.LINF);
        }

        @Test
        void should_accept_custom_bounds() {
            ThreatModel model =
                    ThreatModel.builder().epsilon(0.1).lowerBound(-1).upperBound(1).build();
            assertThat(model.lowerBound()).isEqualTo(-1.0);
            assertThat(model.upperBound()).isEqualTo(1.0);
        }

        @Test
        void should_require_epsilon() {
            assertThatIllegalStateException()
                    .isThrownBy(() -> ThreatModel.builder().build())
                    .withMessageContaining("epsilon");
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid("zero epsilon", () -> ThreatModel.linf(0), "epsilon", "0.0"),
                    invalid("negative epsilon", () -> ThreatModel.linf(-0.1), "epsilon", "-0.1"),
                    invalid("NaN epsilon", () -> ThreatModel.l2(Double.NaN), "epsilon", "NaN"),
                    invalid(
                            "infinite epsilon",
                            () -> ThreatModel.linf(Double.POSITIVE_INFINITY),
                            "epsilon",
                            "Infinity"),
                    invalid(
                            "NaN lowerBound",
                            () -> ThreatModel.linf(0.1).withLowerBound(Double.NaN),
                            "lowerBound",
                            "NaN"),
                    invalid(
                            "infinite lowerBound",
                            () -> ThreatModel.linf(0.1).withLowerBound(Double.NEGATIVE_INFINITY),
                            "lowerBound",
                            "-Infinity"),
                    invalid(
                            "infinite upperBound",
                            () -> ThreatModel.linf(0.1).withUpperBound(Double.POSITIVE_INFINITY),
                            "upperBound",
                            "Infinity"),
                    invalid(
                            "equal bounds",
                            () -> ThreatModel.linf(0.1).withLowerBound(1.0),
                            "lowerBound",
                            "1.0 >= 1.0"),
                    invalid(
                            "lowerBound above upperBound",
                            () -> ThreatModel.linf(0.1).withUpperBound(-0.5),
                            "lowerBound",
                            "0.0 >= -0.5"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
