package dev.awp.attack;

import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SquareAttackTest {

    static SquareAttack.Builder linf() {
        return SquareAttack.builder().threatModel(ThreatModel.linf(8 / 255.0));
    }

    @Nested
    class Defaults {
        @Test
        void should_default_to_autoattack_square() {
            SquareAttack square = linf().build();
            assertThat(square.queries()).isEqualTo(5000);
            assertThat(square.pInit()).isEqualTo(0.8);
            assertThat(square.restarts()).isEqualTo(1);
            assertThat(square.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
            assertThat(square.name()).isEqualTo("Square");
            assertThat(Attacks.square()).isEqualTo(square);
        }

        @Test
        void should_describe_every_setting_in_order() {
            assertThat(Attacks.square().parameters())
                    .containsExactly(
                            entry("queries", 5000), entry("pInit", 0.8), entry("restarts", 1));
        }
    }

    @Nested
    class Schedule {
        @Test
        void should_halve_p_after_iterations_10_50_200_500_1000_2000_4000_6000_8000() {
            SquareAttack square = linf().pInit(0.5).build();
            int[] last = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};
            double p = 0.5;
            for (int boundary : last) {
                assertThat(square.windowFraction(boundary)).isEqualTo(p);
                p /= 2;
                assertThat(square.windowFraction(boundary + 1)).isEqualTo(p);
            }
        }

        @Test
        void should_reject_a_negative_iteration() {
            assertRejected(() -> Attacks.square().windowFraction(-1), "iteration", "-1");
        }
    }

    @Nested
    class Validation {
        @Test
        void should_reject_invalid_values() {
            assertRejected(() -> linf().queries(0).build(), "queries", "0");
            assertRejected(() -> linf().pInit(0).build(), "pInit", "0.0");
            assertRejected(() -> linf().pInit(1.5).build(), "pInit", "1.5");
            assertRejected(() -> linf().restarts(0).build(), "restarts", "0");
            assertRejected(() -> linf().name("").build(), "name", "''");
        }
    }
}
