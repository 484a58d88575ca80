package dev.awp.attack;

import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FabAttackTest {

    static FabAttack.Builder linf() {
        return FabAttack.builder().threatModel(ThreatModel.linf(8 / 255.0));
    }

    @Nested
    class Defaults {
        @Test
        void should_default_to_autoattack_fab_t() {
            FabAttack fab = linf().build();
            assertThat(fab.steps()).isEqualTo(100);
            assertThat(fab.restarts()).isEqualTo(1);
            assertThat(fab.targeted()).isTrue();
            assertThat(fab.targetClasses()).isEqualTo(9);
            assertThat(fab.alphaMax()).isEqualTo(0.1);
            assertThat(fab.eta()).isEqualTo(1.05);
            assertThat(fab.beta()).isEqualTo(0.9);
            assertThat(fab.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
            assertThat(fab.name()).isEqualTo("FAB-T");
            assertThat(Attacks.fabT()).isEqualTo(fab);
        }

        @Test
        void should_describe_every_setting_in_order() {
            assertThat(Attacks.fabT().parameters())
                    .containsExactly(
                            entry("steps", 100),
                            entry("restarts", 1),
                            entry("targeted", true),
                            entry("targetClasses", 9),
                            entry("alphaMax", 0.1),
                            entry("eta", 1.05),
                            entry("beta", 0.9));
            assertThat(Attacks.fab().parameters()).doesNotContainKey("targetClasses");
        }
    }

    @Nested
    class Names {
        @Test
        void should_follow_targeting_with_automatic_names() {
            assertThat(Attacks.fab().name()).isEqualTo("FAB");
            assertThat(Attacks.fab().withTargeted(true).name()).isEqualTo("FAB-T");
            assertThat(Attacks.fabT().withName("mine").withTargeted(false).name())
                    .isEqualTo("mine");
        }
    }

    @Nested
    class ClassCounts {
        @Test
        void should_cap_targets_at_the_number_of_classes_minus_one() {
            assertThat(Attacks.fabT().effectiveTargetClasses(10)).isEqualTo(9);
            assertThat(Attacks.fabT().effectiveTargetClasses(3)).isEqualTo(2);
            assertThat(Attacks.fabT().effectiveTargetClasses(2)).isEqualTo(1);
            assertThat(Attacks.fab().effectiveTargetClasses(2)).isZero();
        }

        @Test
        void should_reject_a_single_class() {
            assertRejected(() -> Attacks.fabT().effectiveTargetClasses(1), "numClasses", "1");
        }
    }

    @Nested
    class Validation {
        @Test
        void should_reject_invalid_values() {
            assertRejected(() -> linf().steps(0).build(), "steps", "0");
            assertRejected(() -> linf().restarts(0).build(), "restarts", "0");
            assertRejected(() -> linf().targetClasses(0).build(), "targetClasses", "0");
            assertRejected(() -> linf().alphaMax(1.5).build(), "alphaMax", "1.5");
            assertRejected(() -> linf().eta(0.5).build(), "eta", "0.5");
            assertRejected(() -> linf().beta(1).build(), "beta", "1.0");
            assertRejected(() -> linf().name(" ").build(), "name", "' '");
        }
    }

    @Nested
    class AutoAttack {
        @Test
        void should_run_the_standard_cascade_in_order_in_the_given_threat_model() {
            ThreatModel l2 = ThreatModel.l2(0.5);
            List<Attack> attacks = Attacks.autoAttack(l2);
            assertThat(attacks)
                    .extracting(Attack::name)
                    .containsExactly("APGD-CE", "APGD-T", "FAB-T", "Square");
            assertThat(attacks).allSatisfy(a -> assertThat(a.threatModel()).isEqualTo(l2));
            assertThat(attacks.get(0)).isEqualTo(Attacks.apgdCe().withThreatModel(l2));
            assertThat(attacks.get(1)).isEqualTo(Attacks.apgdT().withThreatModel(l2));
            assertThat(attacks.get(2)).isEqualTo(Attacks.fabT().withThreatModel(l2));
            assertThat(attacks.get(3)).isEqualTo(Attacks.square().withThreatModel(l2));
            ApgdAttack apgdT = (ApgdAttack) attacks.get(1);
            assertThat(apgdT.targetClasses()).isEqualTo(9);
            assertThat(apgdT.steps()).isEqualTo(100);
            assertThat(((SquareAttack) attacks.get(3)).queries()).isEqualTo(5000);
        }
    }
}
