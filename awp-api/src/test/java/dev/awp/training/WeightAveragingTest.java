package dev.awp.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The averaging weights κ of {@link WeightAveraging#keep}: golden values of {@code min(decay,
 * (1+d)/(10+d))} (EMA, as in TensorFlow's {@code ExponentialMovingAverage(num_updates)}) and {@code
 * n/(n+1)} (SWA), and the checks.
 */
class WeightAveragingTest {

    @Nested
    class Ema {
        private final WeightAveraging ema =
                WeightAveraging.builder().kind(AveragingKind.EMA).decay(0.9).warmupSteps(5).build();

        @Test
        void should_follow_the_weights_during_the_warm_up() {
            assertThat(ema.keep(0, 0, 3)).isZero();
            assertThat(ema.keep(1, 1, 3)).isZero(); // step 4
        }

        @Test
        void should_warm_the_decay_up_as_one_plus_d_over_ten_plus_d() {
            assertThat(ema.keep(1, 2, 3)).isEqualTo(0.1); // step 5, d = 0: 1/10
            assertThat(ema.keep(2, 0, 3)).isEqualTo(2.0 / 11); // d = 1
            assertThat(ema.keep(5, 0, 10)).isEqualTo(46.0 / 55); // step 50, d = 45: below 0.9
        }

        @Test
        void should_cap_the_decay() {
            // d = 80: 81/90 = 0.9 exactly; d = 1000: 1001/1010 > 0.9, capped
            assertThat(ema.keep(8, 5, 10)).isEqualTo(0.9);
            assertThat(ema.keep(100, 5, 10)).isEqualTo(0.9);
        }
    }

    @Nested
    class Swa {
        private final WeightAveraging swa = WeightAveraging.swa(2);

        @Test
        void should_follow_the_weights_before_the_start_epoch() {
            assertThat(swa.keep(1, 3, 4)).isZero();
        }

        @Test
        void should_give_the_n_th_step_since_the_start_the_weight_n_over_n_plus_one() {
            assertThat(swa.keep(2, 0, 4)).isZero(); // n = 0: a = w
            assertThat(swa.keep(2, 1, 4)).isEqualTo(0.5);
            assertThat(swa.keep(3, 3, 4)).isEqualTo(7.0 / 8);
        }
    }

    @Test
    void should_describe_the_kind_decay_and_batchnorm_policy() {
        assertThat(WeightAveraging.none().describe()).isEqualTo("none");
        assertThat(WeightAveraging.ema(0.999).describe())
                .isEqualTo(
                        "EMA, decay 0.999 warming up as min(decay, (1+d)/(10+d)) after 0 steps;"
                                + " BatchNorm statistics from the raw model");
        assertThat(WeightAveraging.swa(4).describe())
                .isEqualTo(
                        "SWA, mean of the weights after every step from epoch 5 (1-based);"
                                + " BatchNorm statistics recomputed over the training data");
    }

    @Test
    void should_reject_a_decay_outside_zero_one() {
        assertThatThrownBy(() -> WeightAveraging.ema(1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decay must be in [0, 1) but was 1.0");
    }

    @Test
    void should_reject_a_negative_start_epoch_and_warm_up() {
        assertThatThrownBy(() -> WeightAveraging.swa(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("startEpoch must be");
        assertThatThrownBy(
                        () ->
                                WeightAveraging.builder()
                                        .kind(AveragingKind.EMA)
                                        .warmupSteps(-2)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("warmupSteps must be");
    }

    @Test
    void should_reject_an_iteration_outside_the_epoch() {
        assertThatThrownBy(() -> WeightAveraging.ema(0.5).keep(0, 4, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("iteration must be < batchesPerEpoch (4) but was 4");
    }

    @Test
    void should_reject_swa_starting_after_the_run() {
        assertThatThrownBy(
                        () ->
                                Recipes.at()
                                        .withEpochs(3)
                                        .withWeightAveraging(WeightAveraging.swa(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "weightAveraging.startEpoch must be < epochs (3) but was 3");
    }
}
