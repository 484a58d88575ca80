package dev.awp.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AttackTest {

    /** A custom attack that overrides nothing it need not. */
    private static final Attack CUSTOM =
            new Attack() {
                @Override
                public ThreatModel threatModel() {
                    return ThreatModel.linf(8 / 255.0);
                }

                @Override
                public String name() {
                    return "custom";
                }
            };

    @Nested
    class Defaults {
        @Test
        void should_describe_no_parameters_unless_overridden() {
            assertThat(CUSTOM.parameters()).isEmpty();
        }

        @Test
        void should_query_batch_norm_in_inference_mode() {
            assertThat(CUSTOM.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
        }

        @Test
        void should_name_its_kind_by_its_class_and_know_no_query_budget() {
            assertThat(CUSTOM.kind()).isEqualTo(CUSTOM.getClass().getName());
            assertThat(CUSTOM.queryBudget()).isEmpty();
        }

        @Test
        void should_run_on_any_number_of_classes() {
            assertThat(CUSTOM.minimumClasses()).isEqualTo(1);
            assertThatCode(() -> CUSTOM.checkNumClasses(1)).doesNotThrowAnyException();
        }
    }

    @Nested
    class BuiltIn {
        @Test
        void should_name_the_kinds_the_reports_write() {
            assertThat(Attacks.pgd20().kind()).isEqualTo("PGD");
            assertThat(Attacks.fgsm().kind()).isEqualTo("FGSM");
            assertThat(Attacks.apgdT().kind()).isEqualTo("APGD");
            assertThat(Attacks.fabT().kind()).isEqualTo("FAB");
            assertThat(Attacks.square().kind()).isEqualTo("Square");
        }

        @Test
        void should_know_the_query_budgets_of_the_autoattack_cascade() {
            // 1 + 101, 1 + 9 × 101, 1 + 2 × 9 × 100, 1 + 5,001
            assertThat(Attacks.autoAttack(ThreatModel.linf(8 / 255.0)))
                    .extracting(attack -> attack.queryBudget().orElseThrow())
                    .containsExactly(102L, 910L, 1801L, 5002L);
            assertThat(Attacks.fabT().withTargeted(false).queryBudget()).isEmpty();
        }

        @Test
        void should_reject_too_few_classes_through_the_interface() {
            Attack apgdT = Attacks.apgdT();
            assertThat(apgdT.minimumClasses()).isEqualTo(4);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> apgdT.checkNumClasses(3))
                    .withMessageContaining("numClasses must be >= 4");
        }
    }
}
