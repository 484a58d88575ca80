package dev.awp.examples.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.awp.examples.lab.LabStatistics.Interval;
import org.junit.jupiter.api.Test;

class LabStatisticsTest {

    @Test
    void should_give_the_t_interval_of_a_mean() {
        // 1, 2, 3: mean 2, sd 1, t(0.975, 2) = 4.3027 → half-width 4.3027 / √3 = 2.48417
        Interval interval = LabStatistics.mean(1, 2, 3);
        assertThat(interval.mean()).isEqualTo(2.0);
        assertThat(interval.halfWidth()).isCloseTo(4.3027 / Math.sqrt(3), within(1e-12));
        assertThat(interval.above(0)).isFalse();
        assertThat(interval.format(1, 2)).isEqualTo("2.00 ± 2.48");
    }

    @Test
    void should_pair_differences_by_index() {
        // differences 0.5, 0.5, 0.5: no spread, so the interval is a point above zero
        Interval interval =
                LabStatistics.pairedDifference(
                        new double[] {1, 2, 3}, new double[] {0.5, 1.5, 2.5});
        assertThat(interval.mean()).isEqualTo(0.5);
        assertThat(interval.halfWidth()).isEqualTo(0.0);
        assertThat(interval.above(0)).isTrue();
        assertThat(interval.below(0)).isFalse();
    }

    @Test
    void should_give_no_interval_for_one_value() {
        Interval interval = LabStatistics.mean(0.4);
        assertThat(interval.halfWidth()).isNaN();
        assertThat(interval.above(0)).isFalse();
        assertThat(interval.below(1)).isFalse();
        assertThat(interval.format(100, 1)).isEqualTo("40.0 (n/a)");
    }

    @Test
    void should_use_the_tabulated_t_quantiles_and_the_normal_beyond() {
        assertThat(LabStatistics.t975(1)).isEqualTo(12.7062);
        assertThat(LabStatistics.t975(30)).isEqualTo(2.0423);
        assertThat(LabStatistics.t975(31)).isCloseTo(1.95996, within(1e-5));
    }
}
