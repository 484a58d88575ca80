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
    class Domains {
        final InputDomain transactions = InputDomainTest.transactions();

        @Test
        void should_default_to_the_unit_interval() {
            ThreatModel linf = ThreatModel.linf(0.1);
            assertThat(linf.domain()).isEqualTo(InputDomain.unit());
            assertThat(linf.featureBounds()).isEmpty();
        }

        @Test
        void should_give_scalar_bounds_as_a_scalar_domain() {
            ThreatModel model =
                    ThreatModel.builder().epsilon(0.1).lowerBound(-1).upperBound(1).build();
            assertThat(model.domain()).isEqualTo(InputDomain.of(-1, 1));
        }

        @Test
        void should_hold_per_feature_bounds_and_report_their_envelope() {
            ThreatModel model = ThreatModel.linf(0.25, transactions);
            assertThat(model.domain()).isEqualTo(transactions);
            assertThat(model.featureBounds()).contains(transactions);
            assertThat(model.lowerBound()).isEqualTo(-1.0);
            assertThat(model.upperBound()).isEqualTo(20_000.0);
            assertThat(model.epsilon()).isEqualTo(0.25);
            assertThat(model.norm()).isEqualTo(Norm.LINF);
        }

        @Test
        void should_build_the_same_model_every_way() {
            ThreatModel built =
                    ThreatModel.builder()
                            .norm(Norm.L2)
                            .epsilon(0.5)
                            .featureBounds(transactions)
                            .build();
            assertThat(ThreatModel.l2(0.5, transactions)).isEqualTo(built);
            assertThat(ThreatModel.l2(0.5).withDomain(transactions)).isEqualTo(built);
            assertThat(ThreatModel.linf(0.5, transactions).withNorm(Norm.L2)).isEqualTo(built);
            assertThat(ThreatModel.l2(0.1, transactions).withEpsilon(0.5)).isEqualTo(built);
        }

        @Test
        void should_store_a_scalar_domain_as_scalar_bounds() {
            ThreatModel viaDomain = ThreatModel.linf(0.1, InputDomain.of(-1, 1));
            ThreatModel viaBounds = ThreatModel.linf(0.1).withLowerBound(-1);
            assertThat(viaDomain).isEqualTo(viaBounds);
            assertThat(viaDomain.featureBounds()).isEmpty();
            assertThat(ThreatModel.linf(0.1, InputDomain.unit())).isEqualTo(ThreatModel.linf(0.1));
        }

        @Test
        void should_replace_the_domain_whatever_its_kind() {
            ThreatModel perFeature =
                    ThreatModel.linf(0.1).withLowerBound(-3).withDomain(transactions);
            assertThat(perFeature.domain()).isEqualTo(transactions);
            ThreatModel scalar = perFeature.withDomain(InputDomain.of(-2, 2));
            assertThat(scalar.featureBounds()).isEmpty();
            assertThat(scalar.lowerBound()).isEqualTo(-2.0);
            assertThat(scalar.upperBound()).isEqualTo(2.0);
        }

        @Test
        void should_refuse_scalar_bounds_on_a_per_feature_domain() {
            ThreatModel model = ThreatModel.linf(0.1, transactions);
            assertThatIllegalStateException()
                    .isThrownBy(() -> model.withLowerBound(0))
                    .withMessageStartingWith("lowerBound applies to a scalar domain")
                    .withMessageContaining("3 per-feature bounds")
                    .withMessageContaining("withDomain");
            assertThatIllegalStateException()
                    .isThrownBy(() -> model.withUpperBound(2))
                    .withMessageStartingWith("upperBound applies to a scalar domain");
        }

        @Test
        void should_show_the_bounds_in_its_description() {
            assertThat(ThreatModel.linf(0.1, transactions).toString())
                    .contains("20000.0", "23.0", "-1.0");
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
                            "0.0 >= -0.5"),
                    invalid(
                            "lowerBound set with featureBounds",
                            () ->
                                    ThreatModel.builder()
                                            .epsilon(0.1)
                                            .lowerBound(-5)
                                            .featureBounds(InputDomainTest.transactions())
                                            .build(),
                            "lowerBound",
                            "-5.0"),
                    invalid(
                            "upperBound set with featureBounds",
                            () ->
                                    ThreatModel.builder()
                                            .epsilon(0.1)
                                            .upperBound(1)
                                            .featureBounds(InputDomainTest.transactions())
                                            .build(),
                            "upperBound",
                            "1.0"),
                    invalid(
                            "NaN epsilon with a per-feature domain",
                            () -> ThreatModel.linf(Double.NaN, InputDomainTest.transactions()),
                            "epsilon",
                            "NaN"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
