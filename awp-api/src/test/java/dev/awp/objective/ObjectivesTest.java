package dev.awp.objective;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ObjectivesTest {

    @Nested
    class PgdAt {
        @Test
        void should_be_a_singleton_named_pgd_at() {
            assertThat(Objectives.pgdAt()).isSameAs(PgdAtObjective.of());
            assertThat(Objectives.pgdAt().name()).isEqualTo("PGD-AT");
        }

        @Test
        void should_not_read_clean_inputs() {
            assertThat(Objectives.pgdAt().usesCleanInputs()).isFalse();
        }
    }

    @Nested
    class WithBeta {
        @Test
        void should_build_trades_and_mart_with_the_given_beta() {
            assertThat(Objectives.trades(1.5).beta()).isEqualTo(1.5);
            assertThat(Objectives.mart(4).beta()).isEqualTo(4.0);
        }
    }
}
