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

class AccuracyTest {

    @Nested
    class Value {
        @Test
        void should_divide_correct_by_total() {
            assertThat(Accuracy.of(537, 1000).value()).isEqualTo(0.537);
        }

        @Test
        void should_keep_the_counts() {
            Accuracy accuracy = Accuracy.of(3, 4);
            assertThat(accuracy.correct()).isEqualTo(3);
            assertThat(accuracy.total()).isEqualTo(4);
        }
    }

    @Nested
    class WilsonInterval {
        /**
         * 8 of 10, z = 1.95996: z² = 3.84146, z²/n = 0.384146, denominator 1.384146; center = (0.8
         * + 0.192073) / 1.384146 = 0.716740; half-width = (1.95996 / 1.384146) · √(0.8·0.2/10 +
         * 3.84146/400) = 1.416008 · √0.0256036 = 1.416008 · 0.160011 = 0.226578; interval =
         * [0.49016, 0.94332].
         */
        @Test
        void should_match_the_hand_computed_interval_for_8_of_10() {
            Accuracy accuracy = Accuracy.of(8, 10);
            assertThat(accuracy.lower()).isCloseTo(0.49016, within(1e-5));
            assertThat(accuracy.upper()).isCloseTo(0.94332, within(1e-5));
        }

        /**
         * 0 of 10: the lower end is 0 and the upper end is (z²/n)/(1 + z²/n) = 0.384146 / 1.384146
         * = 0.277533.
         */
        @Test
        void should_start_at_zero_when_nothing_is_correct() {
            Accuracy none = Accuracy.of(0, 10);
            assertThat(none.lower()).isEqualTo(0.0);
            assertThat(none.upper()).isCloseTo(0.277533, within(1e-6));
        }

        /** 10 of 10: the mirror image of 0 of 10, [1 − 0.277533, 1]. */
        @Test
        void should_end_at_one_when_everything_is_correct() {
            Accuracy all = Accuracy.of(10, 10);
            assertThat(all.upper()).isEqualTo(1.0);
            assertThat(all.lower()).isCloseTo(0.722467, within(1e-6));
        }

        /** 537 of 1000: center 0.536855, half-width 0.030846. */
        @Test
        void should_be_about_3_points_wide_on_1000_examples() {
            Accuracy accuracy = Accuracy.of(537, 1000);
            assertThat(accuracy.lower()).isCloseTo(0.50601, within(1e-5));
            assertThat(accuracy.upper()).isCloseTo(0.56770, within(1e-5));
        }

        @Test
        void should_contain_the_value() {
            for (int correct = 0; correct <= 20; correct++) {
                Accuracy accuracy = Accuracy.of(correct, 20);
                assertThat(accuracy.lower()).isLessThanOrEqualTo(accuracy.value());
                assertThat(accuracy.upper()).isGreaterThanOrEqualTo(accuracy.value());
            }
        }

        @Test
        void should_be_symmetric_around_one_half() {
            Accuracy low = Accuracy.of(3, 20);
            Accuracy high = Accuracy.of(17, 20);
            assertThat(low.lower()).isCloseTo(1 - high.upper(), within(1e-12));
            assertThat(low.upper()).isCloseTo(1 - high.lower(), within(1e-12));
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            return Stream.of(
                    invalid("zero total", () -> Accuracy.of(0, 0), "total", "0"),
                    invalid("negative total", () -> Accuracy.of(0, -5), "total", "-5"),
                    invalid("negative correct", () -> Accuracy.of(-1, 10), "correct", "-1"),
                    invalid("correct above total", () -> Accuracy.of(11, 10), "correct", "11"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
