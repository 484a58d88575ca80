package dev.awp.djl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitMix64Test {

    @Test
    void should_reproduce_the_reference_sequence_for_seed_zero() {
        // Vigna's splitmix64.c, x = 0
        SplitMix64 rng = new SplitMix64(0);
        assertThat(rng.nextLong()).isEqualTo(0xe220a8397b1dcdafL);
        assertThat(rng.nextLong()).isEqualTo(0x6e789e6aa1b965f4L);
        assertThat(rng.nextLong()).isEqualTo(0x06c45d188009454fL);
    }

    @Test
    void should_derive_independent_streams_from_keys() {
        long a = SplitMix64.derive(1, 2, 3).nextLong();
        assertThat(SplitMix64.derive(1, 2, 3).nextLong()).isEqualTo(a);
        assertThat(SplitMix64.derive(1, 3, 2).nextLong()).isNotEqualTo(a);
        assertThat(SplitMix64.derive(2, 2, 3).nextLong()).isNotEqualTo(a);
        assertThat(SplitMix64.derive(1, 2).nextLong()).isNotEqualTo(a);
    }

    @Test
    void should_draw_every_integer_below_the_bound_and_none_outside() {
        SplitMix64 rng = new SplitMix64(42);
        int[] counts = new int[9];
        for (int i = 0; i < 9000; i++) {
            counts[rng.nextInt(9)]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(850, 1150);
        }
    }

    @Test
    void should_shuffle_into_a_permutation() {
        int[] values = IntStream.range(0, 100).toArray();
        new SplitMix64(5).shuffle(values);
        assertThat(values).isNotEqualTo(IntStream.range(0, 100).toArray());
        Arrays.sort(values);
        assertThat(values).isEqualTo(IntStream.range(0, 100).toArray());
    }

    @Test
    void should_draw_doubles_in_the_unit_interval() {
        SplitMix64 rng = new SplitMix64(-1);
        for (int i = 0; i < 1000; i++) {
            assertThat(rng.nextDouble()).isGreaterThanOrEqualTo(0).isLessThan(1);
        }
    }
}
