package dev.awp.attack;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InputDomainTest {

    static InputDomain transactions() {
        return InputDomain.perFeature(new double[] {0, 0, -1}, new double[] {20_000, 23, 1});
    }

    @Nested
    class Factories {
        @Test
        void should_build_the_unit_interval() {
            InputDomain unit = InputDomain.unit();
            assertThat(unit.isScalar()).isTrue();
            assertThat(unit.lowerBounds()).containsExactly(0.0);
            assertThat(unit.upperBounds()).containsExactly(1.0);
            assertThat(unit).isEqualTo(InputDomain.of(0, 1));
        }

        @Test
        void should_build_per_feature_bounds_with_their_envelope() {
            InputDomain domain = transactions();
            assertThat(domain.isScalar()).isFalse();
            assertThat(domain.featureCount()).isEqualTo(3);
            assertThat(domain.lowerBounds()).containsExactly(0.0, 0.0, -1.0);
            assertThat(domain.upperBounds()).containsExactly(20_000.0, 23.0, 1.0);
            assertThat(domain.smallestLowerBound()).isEqualTo(-1.0);
            assertThat(domain.largestUpperBound()).isEqualTo(20_000.0);
        }

        @Test
        void should_build_from_varargs() {
            InputDomain built =
                    InputDomain.builder().lowerBounds(0, 0, -1).upperBounds(20_000, 23, 1).build();
            assertThat(built).isEqualTo(transactions());
            assertThat(built.hashCode()).isEqualTo(transactions().hashCode());
        }

        @Test
        void should_treat_one_feature_as_scalar() {
            InputDomain one = InputDomain.perFeature(new double[] {-1}, new double[] {1});
            assertThat(one.isScalar()).isTrue();
            assertThat(one).isEqualTo(InputDomain.of(-1, 1));
        }

        @Test
        void should_copy_the_arrays_in_and_out() {
            double[] lower = {0, 0};
            double[] upper = {1, 2};
            InputDomain domain = InputDomain.perFeature(lower, upper);
            lower[0] = -5;
            domain.upperBounds()[1] = 99;
            assertThat(domain.lowerBounds()).containsExactly(0.0, 0.0);
            assertThat(domain.upperBounds()).containsExactly(1.0, 2.0);
        }

        @Test
        void should_require_both_bounds() {
            assertThatIllegalStateException()
                    .isThrownBy(() -> InputDomain.builder().lowerBounds(0).build())
                    .withMessageContaining("upperBounds");
            assertThatNullPointerException()
                    .isThrownBy(() -> InputDomain.perFeature(null, new double[] {1}))
                    .withMessage("lower");
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            double nan = Double.NaN;
            double inf = Double.POSITIVE_INFINITY;
            return Stream.of(
                    invalid(
                            "no features",
                            () -> InputDomain.perFeature(new double[0], new double[0]),
                            "lowerBounds",
                            "empty"),
                    invalid(
                            "fewer upper than lower bounds",
                            () -> InputDomain.perFeature(new double[3], new double[] {1, 1}),
                            "upperBounds",
                            "of length 2"),
                    invalid(
                            "NaN lower bound of feature 2",
                            () -> InputDomain.perFeature(new double[] {0, 0, nan}, ones(3)),
                            "lowerBounds[2]",
                            "NaN"),
                    invalid(
                            "infinite upper bound of feature 1",
                            () -> InputDomain.perFeature(new double[3], new double[] {1, inf, 1}),
                            "upperBounds[1]",
                            "Infinity"),
                    invalid(
                            "lower above upper for feature 1",
                            () ->
                                    InputDomain.perFeature(
                                            new double[] {0, 5, 0}, new double[] {1, 2, 1}),
                            "lowerBounds[1]",
                            "5.0 >= 2.0"),
                    invalid(
                            "equal bounds for feature 0",
                            () -> InputDomain.perFeature(new double[] {3, 0}, new double[] {3, 1}),
                            "lowerBounds[0]",
                            "3.0 >= 3.0"),
                    invalid(
                            "NaN scalar lower bound",
                            () -> InputDomain.of(nan, 1),
                            "lowerBound",
                            "NaN"),
                    invalid(
                            "scalar lower above upper",
                            () -> InputDomain.of(1, 0),
                            "lowerBound",
                            "1.0 >= 0.0"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_bounds(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }

        private static double[] ones(int n) {
            double[] ones = new double[n];
            java.util.Arrays.fill(ones, 1);
            return ones;
        }
    }
}
