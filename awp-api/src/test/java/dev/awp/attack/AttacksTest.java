package dev.awp.attack;

import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The presets against the spec, §5: ε = 8/255, α = 2/255, 10 training steps; L2 128/255, 15/255.
 */
class AttacksTest {

    @Nested
    class Constants {
        @Test
        void should_match_the_paper_budgets_and_steps() {
            assertThat(Attacks.LINF_EPSILON).isEqualTo(8 / 255.0);
            assertThat(Attacks.LINF_STEP).isEqualTo(2 / 255.0);
            assertThat(Attacks.L2_EPSILON).isEqualTo(128 / 255.0);
            assertThat(Attacks.L2_STEP).isEqualTo(15 / 255.0);
            assertThat(Attacks.CW_KAPPA).isEqualTo(10.0);
        }
    }

    @Nested
    class PgdTraining {
        @Test
        void should_be_the_reference_linf_training_attack() {
            PgdAttack pgd = Attacks.pgdTraining();
            assertThat(pgd.threatModel()).isEqualTo(ThreatModel.linf(8 / 255.0));
            assertThat(pgd.stepSize()).isEqualTo(2 / 255.0);
            assertThat(pgd.steps()).isEqualTo(10);
            assertThat(pgd.restarts()).isEqualTo(1);
            assertThat(pgd.randomStart()).isEqualTo(RandomStart.UNIFORM);
            assertThat(pgd.loss()).isEqualTo(AttackLoss.crossEntropy());
            assertThat(pgd.name()).isEqualTo("PGD-10");
        }

        @Test
        void should_attack_in_training_mode_as_the_reference() {
            assertThat(Attacks.pgdTraining().batchNormMode()).isEqualTo(BatchNormMode.TRAIN);
        }

        @Test
        void should_be_the_l2_training_attack() {
            PgdAttack pgd = Attacks.pgdTrainingL2();
            assertThat(pgd.threatModel()).isEqualTo(ThreatModel.l2(128 / 255.0));
            assertThat(pgd.stepSize()).isEqualTo(15 / 255.0);
            assertThat(pgd.steps()).isEqualTo(10);
            assertThat(pgd.randomStart()).isEqualTo(RandomStart.UNIFORM);
            assertThat(pgd.batchNormMode()).isEqualTo(BatchNormMode.TRAIN);
            assertThat(pgd.loss()).isEqualTo(AttackLoss.crossEntropy());
        }
    }

    @Nested
    class TradesAndMart {
        @Test
        void should_attack_trades_kl_from_a_gaussian_start_in_eval_mode() {
            PgdAttack trades = Attacks.tradesTraining();
            assertThat(trades.threatModel()).isEqualTo(ThreatModel.linf(8 / 255.0));
            assertThat(trades.stepSize()).isEqualTo(2 / 255.0);
            assertThat(trades.steps()).isEqualTo(10);
            assertThat(trades.randomStart()).isEqualTo(RandomStart.GAUSSIAN);
            assertThat(trades.gaussianStd()).isEqualTo(0.001);
            assertThat(trades.loss()).isEqualTo(AttackLoss.klToClean());
            assertThat(trades.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
        }

        @Test
        void should_attack_mart_cross_entropy_otherwise_as_trades() {
            PgdAttack mart = Attacks.martTraining();
            assertThat(mart.loss()).isEqualTo(AttackLoss.crossEntropy());
            assertThat(mart.withLoss(AttackLoss.klToClean())).isEqualTo(Attacks.tradesTraining());
        }
    }

    @Nested
    class Evaluation {
        @Test
        void should_evaluate_with_pgd20_in_eval_mode() {
            PgdAttack pgd20 = Attacks.pgd20();
            assertThat(pgd20.threatModel()).isEqualTo(ThreatModel.linf(8 / 255.0));
            assertThat(pgd20.steps()).isEqualTo(20);
            assertThat(pgd20.stepSize()).isEqualTo(2 / 255.0);
            assertThat(pgd20.randomStart()).isEqualTo(RandomStart.UNIFORM);
            assertThat(pgd20.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
            assertThat(pgd20.loss()).isEqualTo(AttackLoss.crossEntropy());
            assertThat(pgd20.name()).isEqualTo("PGD-20");
        }

        @Test
        void should_build_pgd_with_any_number_of_steps() {
            assertThat(Attacks.pgd(7).steps()).isEqualTo(7);
            assertThat(Attacks.pgd(7).name()).isEqualTo("PGD-7");
        }

        @Test
        void should_reject_pgd_without_steps() {
            assertRejected(() -> Attacks.pgd(0), "steps", "0");
        }

        @Test
        void should_evaluate_cw_with_100_steps_and_kappa_10() {
            PgdAttack cw = Attacks.cwInf();
            assertThat(cw.steps()).isEqualTo(100);
            assertThat(cw.stepSize()).isEqualTo(2 / 255.0);
            assertThat(cw.loss()).isEqualTo(AttackLoss.cwMargin(10));
            assertThat(cw.threatModel()).isEqualTo(ThreatModel.linf(8 / 255.0));
            assertThat(cw.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
            assertThat(cw.name()).isEqualTo("CW-100");
        }

        @Test
        void should_evaluate_fgsm_with_a_random_start_and_step_16_over_255() {
            FgsmAttack fgsm = Attacks.fgsm();
            assertThat(fgsm.threatModel()).isEqualTo(ThreatModel.linf(8 / 255.0));
            assertThat(fgsm.stepSize()).isEqualTo(16 / 255.0);
            assertThat(fgsm.randomStart()).isEqualTo(RandomStart.UNIFORM);
            assertThat(fgsm.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
        }

        @Test
        void should_rename_a_preset_copied_with_other_steps() {
            assertThat(Attacks.pgd20().withSteps(50).name()).isEqualTo("PGD-50");
        }
    }
}
