package dev.awp.djl.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.awp.djl.internal.SplitMix64;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * FAB's projection onto a hyperplane inside a box, against hand-solved cases: the smallest step
 * {@code δ} with {@code ⟨w, δ⟩ = r} and {@code lo ≤ δ ≤ hi}.
 */
class FabProjectionTest {

    static final double WIDE = 100;

    static double[] project(float[] w, double r, double[] lo, double[] hi, boolean linf) {
        double[] out = new double[w.length];
        FabProjection.project(w, 0, w.length, r, lo, hi, linf, out);
        return out;
    }

    static double[] filled(int n, double value) {
        double[] values = new double[n];
        Arrays.fill(values, value);
        return values;
    }

    @Nested
    class L2 {
        @Test
        void should_step_along_w_when_the_box_is_not_in_the_way() {
            // δ = r·w/‖w‖² = 5·(3, 4)/25
            assertThat(project(new float[] {3, 4}, 5, filled(2, -WIDE), filled(2, WIDE), false))
                    .containsExactly(new double[] {0.6, 0.8}, within(1e-12));
        }

        @Test
        void should_saturate_a_component_at_the_box_and_spend_the_rest_on_the_others() {
            // δ₀ would be 0.6 > 0.3: saturate it; 3·0.3 + 4·(4λ) = 5 → λ = 0.25625
            assertThat(
                            project(
                                    new float[] {3, 4},
                                    5,
                                    filled(2, -WIDE),
                                    new double[] {0.3, WIDE},
                                    false))
                    .containsExactly(new double[] {0.3, 1.025}, within(1e-12));
        }

        @Test
        void should_move_the_other_way_when_r_is_negative() {
            assertThat(project(new float[] {3, 4}, -5, filled(2, -WIDE), filled(2, WIDE), false))
                    .containsExactly(new double[] {-0.6, -0.8}, within(1e-12));
        }
    }

    @Nested
    class Linf {
        @Test
        void should_move_every_component_by_t_when_the_box_is_not_in_the_way() {
            // t = r/‖w‖₁ = 7/7
            assertThat(project(new float[] {3, 4}, 7, filled(2, -WIDE), filled(2, WIDE), true))
                    .containsExactly(new double[] {1, 1}, within(1e-12));
        }

        @Test
        void should_saturate_a_component_at_the_box() {
            // 3·0.5 + 4t = 7 → t = 1.375
            assertThat(
                            project(
                                    new float[] {3, 4},
                                    7,
                                    filled(2, -WIDE),
                                    new double[] {0.5, WIDE},
                                    true))
                    .containsExactly(new double[] {0.5, 1.375}, within(1e-12));
        }

        @Test
        void should_use_the_lower_limit_for_negative_weights() {
            // w₀ < 0 moves δ₀ down to lo₀ = −0.5: 2·0.5 + 1·t = 3 → t = 2
            assertThat(
                            project(
                                    new float[] {-2, 1},
                                    3,
                                    new double[] {-0.5, -WIDE},
                                    filled(2, WIDE),
                                    true))
                    .containsExactly(new double[] {-0.5, 2}, within(1e-12));
        }

        @Test
        void should_return_the_box_corner_when_the_hyperplane_is_out_of_reach() {
            assertThat(project(new float[] {1, 1}, 10, filled(2, -1), new double[] {1, 2}, true))
                    .containsExactly(new double[] {1, 2}, within(1e-12));
        }

        @Test
        void should_not_move_components_with_zero_weight_or_when_already_on_the_plane() {
            assertThat(project(new float[] {0, 2}, 1, filled(2, -WIDE), filled(2, WIDE), true))
                    .containsExactly(new double[] {0, 0.5}, within(1e-12));
            assertThat(project(new float[] {3, 4}, 0, filled(2, -1), filled(2, 1), true))
                    .containsExactly(0.0, 0.0);
        }
    }

    @Test
    void should_reach_the_hyperplane_with_a_minimal_step_on_random_cases() {
        SplitMix64 random = new SplitMix64(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextIntByRemainder(20);
            float[] w = new float[n];
            double[] lo = new double[n];
            double[] hi = new double[n];
            for (int j = 0; j < n; j++) {
                w[j] = (float) random.nextGaussian();
                lo[j] = -random.nextDouble();
                hi[j] = random.nextDouble();
            }
            double r = random.nextGaussian() * 0.3;
            for (boolean linf : new boolean[] {true, false}) {
                double[] delta = project(w, r, lo, hi, linf);
                double reached = 0;
                double best = 0;
                for (int j = 0; j < n; j++) {
                    assertThat(delta[j]).isBetween(lo[j], hi[j]);
                    reached += w[j] * delta[j];
                    best += Math.abs(w[j]) * (w[j] * r > 0 ? hi[j] : -lo[j]);
                }
                if (best >= Math.abs(r)) {
                    assertThat(reached).isCloseTo(r, within(1e-9));
                    // no smaller step reaches r: shrinking δ by 1 % falls short
                    double shrunk = 0;
                    for (int j = 0; j < n; j++) {
                        shrunk += w[j] * scaledBack(delta[j], linf, delta);
                    }
                    assertThat(Math.abs(shrunk)).isLessThan(Math.abs(r));
                }
            }
        }
    }

    /** The largest component of a step 1 % shorter in the norm, keeping the box. */
    private static double scaledBack(double component, boolean linf, double[] delta) {
        if (!linf) {
            return component * 0.99;
        }
        double size = 0;
        for (double d : delta) {
            size = Math.max(size, Math.abs(d));
        }
        double cap = size * 0.99;
        return Math.max(-cap, Math.min(cap, component));
    }
}
