package dev.awp.attack;

import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ApgdAttackTest {

    static ApgdAttack.Builder linf() {
        return ApgdAttack.builder().threatModel(ThreatModel.linf(8 / 255.0));
    }

    @Nested
    class Defaults {
        @Test
        void should_default_to_autoattack_apgd_ce() {
            ApgdAttack apgd = linf().build();
            assertThat(apgd.steps()).isEqualTo(100);
            assertThat(apgd.restarts()).isEqualTo(1);
            assertThat(apgd.loss()).isEqualTo(ApgdLoss.CROSS_ENTROPY);
            assertThat(apgd.targeted()).isFalse();
            assertThat(apgd.targetClasses()).isEqualTo(9);
            assertThat(apgd.rho()).isEqualTo(0.75);
            assertThat(apgd.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
            assertThat(apgd.name()).isEqualTo("APGD-CE");
        }
    }

    @Nested
    class Presets {
        @Test
        void should_provide_apgd_ce_as_in_autoattack_standard() {
            ApgdAttack apgd = Attacks.apgdCe();
            assertThat(apgd.threatModel()).isEqualTo(ThreatModel.linf(8 / 255.0));
            assertThat(apgd.steps()).isEqualTo(100);
            assertThat(apgd.restarts()).isEqualTo(1);
            assertThat(apgd.loss()).isEqualTo(ApgdLoss.CROSS_ENTROPY);
            assertThat(apgd.name()).isEqualTo("APGD-CE");
        }

        @Test
        void should_provide_apgd_t_with_nine_targets_on_the_targeted_dlr_loss() {
            ApgdAttack apgd = Attacks.apgdT();
            assertThat(apgd.targeted()).isTrue();
            assertThat(apgd.loss()).isEqualTo(ApgdLoss.DLR);
            assertThat(apgd.targetClasses()).isEqualTo(9);
            assertThat(apgd.steps()).isEqualTo(100);
            assertThat(apgd.restarts()).isEqualTo(1);
            assertThat(apgd.name()).isEqualTo("APGD-T");
        }

        @Test
        void should_provide_apgd_dlr() {
            assertThat(Attacks.apgdDlr().loss()).isEqualTo(ApgdLoss.DLR);
            assertThat(Attacks.apgdDlr().targeted()).isFalse();
            assertThat(Attacks.apgdDlr().name()).isEqualTo("APGD-DLR");
        }
    }

    @Nested
    class Names {
        @Test
        void should_follow_loss_and_targeting_with_automatic_names() {
            assertThat(Attacks.apgdCe().withLoss(ApgdLoss.DLR).name()).isEqualTo("APGD-DLR");
            assertThat(Attacks.apgdT().withTargeted(false).name()).isEqualTo("APGD-DLR");
            assertThat(Attacks.apgdDlr().withTargeted(true).name()).isEqualTo("APGD-T");
        }

        @Test
        void should_keep_a_custom_name() {
            assertThat(Attacks.apgdCe().withName("mine").withSteps(5).name()).isEqualTo("mine");
        }
    }

    @Nested
    class Parameters {
        @Test
        void should_describe_every_setting_in_order() {
            assertThat(Attacks.apgdCe().parameters())
                    .containsExactly(
                            entry("steps", 100),
                            entry("restarts", 1),
                            entry("loss", ApgdLoss.CROSS_ENTROPY),
                            entry("targeted", false),
                            entry("rho", 0.75));
        }

        @Test
        void should_add_the_target_classes_when_targeted() {
            assertThat(Attacks.apgdT().parameters())
                    .containsEntry("targeted", true)
                    .containsEntry("targetClasses", 9);
        }
    }

    @Nested
    class ClassCounts {
        @Test
        void should_need_two_classes_for_ce_three_for_dlr_four_for_targeted_dlr() {
            assertThat(Attacks.apgdCe().minimumClasses()).isEqualTo(2);
            assertThat(Attacks.apgdDlr().minimumClasses()).isEqualTo(3);
            assertThat(Attacks.apgdT().minimumClasses()).isEqualTo(4);
        }

        @Test
        void should_reject_dlr_on_two_classes_naming_the_count() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> Attacks.apgdDlr().checkNumClasses(2))
                    .withMessageStartingWith("numClasses must be >= 3 for APGD-DLR")
                    .withMessageContaining("but was 2");
        }

        @Test
        void should_reject_targeted_dlr_on_three_classes_naming_the_count() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> Attacks.apgdT().checkNumClasses(3))
                    .withMessageStartingWith("numClasses must be >= 4 for APGD-T")
                    .withMessageContaining("but was 3");
        }

        @Test
        void should_cap_targets_at_the_number_of_classes_minus_one() {
            assertThat(Attacks.apgdT().effectiveTargetClasses(10)).isEqualTo(9);
            assertThat(Attacks.apgdT().effectiveTargetClasses(100)).isEqualTo(9);
            assertThat(Attacks.apgdT().effectiveTargetClasses(4)).isEqualTo(3);
            assertThat(Attacks.apgdCe().effectiveTargetClasses(2)).isZero();
        }
    }

    @Nested
    class Validation {
        @Test
        void should_reject_invalid_values() {
            assertRejected(() -> linf().steps(0).build(), "steps", "0");
            assertRejected(() -> linf().restarts(0).build(), "restarts", "0");
            assertRejected(() -> linf().targetClasses(0).build(), "targetClasses", "0");
            assertRejected(() -> linf().rho(1.0).build(), "rho", "1.0");
            assertRejected(() -> linf().rho(0.0).build(), "rho", "0.0");
            assertRejected(() -> linf().name(" ").build(), "name", "' '");
        }

        @Test
        void should_reject_a_targeted_cross_entropy() {
            assertRejected(() -> linf().targeted(true).build(), "loss", "CROSS_ENTROPY");
        }
    }
}
