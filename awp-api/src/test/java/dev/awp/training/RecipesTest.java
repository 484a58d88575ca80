package dev.awp.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.awp.attack.Attacks;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The recipes against the spec, §6. */
class RecipesTest {

    private static final OptimizerSpec REFERENCE_SGD = OptimizerSpec.sgd(0.1, 0.9, 5e-4);

    @Nested
    class AtAwp {
        private final AdversarialTraining recipe = Recipes.atAwp();

        @Test
        void should_train_pgd_at_with_the_reference_attack() {
            assertThat(recipe.objective()).isEqualTo(Objectives.pgdAt());
            assertThat(recipe.attack()).isEqualTo(Attacks.pgdTraining());
        }

        @Test
        void should_perturb_weights_with_gamma_001_from_the_start() {
            assertThat(recipe.weightPerturbation().gamma()).isEqualTo(0.01);
            assertThat(recipe.weightPerturbation().warmupEpochs()).isZero();
        }

        @Test
        void should_run_200_epochs_of_batch_128_with_reference_sgd() {
            assertThat(recipe.epochs()).isEqualTo(200);
            assertThat(recipe.batchSize()).isEqualTo(128);
            assertThat(recipe.optimizer()).isEqualTo(REFERENCE_SGD);
        }

        @Test
        void should_use_the_piecewise_reference_schedule() {
            assertThat(recipe.schedule()).isEqualTo(Schedules.reference());
        }

        @Test
        void should_select_by_pgd20_and_keep_best_and_last() {
            assertThat(recipe.evaluation().attack()).isEqualTo(Attacks.pgd20());
            assertThat(recipe.checkpoints().keepBest()).isTrue();
            assertThat(recipe.checkpoints().keepLast()).isTrue();
        }

        @Test
        void should_shorten_with_with_epochs() {
            AdversarialTraining short10 = Recipes.atAwp().withEpochs(10);
            assertThat(short10.epochs()).isEqualTo(10);
            assertThat(short10.weightPerturbation().gamma()).isEqualTo(0.01);
        }
    }

    @Nested
    class TradesAwp {
        private final AdversarialTraining recipe = Recipes.tradesAwp();

        @Test
        void should_train_trades_beta_6_with_its_attack() {
            assertThat(recipe.objective()).isEqualTo(Objectives.trades(6));
            assertThat(recipe.attack()).isEqualTo(Attacks.tradesTraining());
        }

        @Test
        void should_perturb_weights_with_gamma_0005_from_the_10th_epoch() {
            // the official script counts epochs from 1 and perturbs when epoch >= 10
            assertThat(recipe.weightPerturbation().gamma()).isEqualTo(0.005);
            assertThat(recipe.weightPerturbation().warmupEpochs()).isEqualTo(9);
            assertThat(recipe.weightPerturbation().isActive(8)).isFalse();
            assertThat(recipe.weightPerturbation().isActive(9)).isTrue();
        }

        @Test
        void should_run_200_epochs_with_the_trades_schedule() {
            assertThat(recipe.epochs()).isEqualTo(200);
            assertThat(recipe.batchSize()).isEqualTo(128);
            assertThat(recipe.optimizer()).isEqualTo(REFERENCE_SGD);
            assertThat(recipe.schedule()).isEqualTo(Schedules.tradesReference());
        }

        @Test
        void should_decay_from_1_based_epoch_100() {
            LearningRateSchedule schedule = recipe.schedule();
            assertThat(schedule.learningRate(0.1, 98, 390, 391, 200)).isEqualTo(0.1);
            assertThat(schedule.learningRate(0.1, 99, 0, 391, 200)).isCloseTo(0.01, within(1e-15));
        }
    }

    @Nested
    class MartAwp {
        private final AdversarialTraining recipe = Recipes.martAwp();

        @Test
        void should_train_mart_beta_6_with_its_attack() {
            assertThat(recipe.objective()).isEqualTo(Objectives.mart(6));
            assertThat(recipe.attack()).isEqualTo(Attacks.martTraining());
        }

        @Test
        void should_perturb_weights_with_gamma_0005_from_the_10th_epoch() {
            // the official script counts epochs from 1 and perturbs when epoch >= 10
            assertThat(recipe.weightPerturbation().gamma()).isEqualTo(0.005);
            assertThat(recipe.weightPerturbation().warmupEpochs()).isEqualTo(9);
            assertThat(recipe.weightPerturbation().isActive(8)).isFalse();
            assertThat(recipe.weightPerturbation().isActive(9)).isTrue();
        }

        @Test
        void should_run_100_epochs_with_the_mart_schedule_and_weight_decay_5e_4() {
            assertThat(recipe.epochs()).isEqualTo(100);
            assertThat(recipe.batchSize()).isEqualTo(128);
            assertThat(recipe.optimizer()).isEqualTo(REFERENCE_SGD);
            assertThat(recipe.schedule()).isEqualTo(Schedules.martReference());
        }
    }

    @Nested
    class BatchNormStatistics {
        @Test
        void should_run_the_official_forwards_in_every_paper_recipe() {
            for (AdversarialTraining recipe :
                    new AdversarialTraining[] {
                        Recipes.at(),
                        Recipes.atAwp(),
                        Recipes.trades(),
                        Recipes.tradesAwp(),
                        Recipes.mart(),
                        Recipes.martAwp()
                    }) {
                assertThat(recipe.batchNormForwards()).isEqualTo(BatchNormForwards.OFFICIAL);
            }
        }

        @Test
        void should_run_only_the_needed_forwards_in_a_built_specification() {
            AdversarialTraining built =
                    AdversarialTraining.builder()
                            .objective(Objectives.pgdAt())
                            .attack(Attacks.pgdTraining())
                            .epochs(1)
                            .build();
            assertThat(built.batchNormForwards()).isEqualTo(BatchNormForwards.MINIMAL);
        }
    }

    @Nested
    class Baselines {
        @Test
        void should_be_at_awp_without_weight_perturbation() {
            assertThat(Recipes.at().weightPerturbation().gamma()).isEqualTo(0.0);
            assertThat(Recipes.at())
                    .isEqualTo(Recipes.atAwp().withWeightPerturbation(WeightPerturbation.none()));
        }

        @Test
        void should_be_trades_awp_without_weight_perturbation() {
            assertThat(Recipes.trades().weightPerturbation().gamma()).isEqualTo(0.0);
            assertThat(Recipes.trades())
                    .isEqualTo(
                            Recipes.tradesAwp().withWeightPerturbation(WeightPerturbation.none()));
        }

        @Test
        void should_be_mart_awp_without_weight_perturbation() {
            assertThat(Recipes.mart().weightPerturbation().gamma()).isEqualTo(0.0);
            assertThat(Recipes.mart())
                    .isEqualTo(Recipes.martAwp().withWeightPerturbation(WeightPerturbation.none()));
        }
    }

    @Nested
    class RstAwp {
        private final AdversarialTraining recipe = Recipes.rstAwp();

        @Test
        void should_train_trades_awp_on_half_extra_batches_of_256() {
            assertThat(recipe.objective()).isEqualTo(Objectives.trades(6));
            assertThat(recipe.attack()).isEqualTo(Attacks.tradesTraining());
            assertThat(recipe.extraDataFraction()).isEqualTo(0.5);
            assertThat(recipe.batchSize()).isEqualTo(256);
            assertThat(recipe.weightPerturbation().gamma()).isEqualTo(0.005);
            assertThat(recipe.weightPerturbation().warmupEpochs()).isEqualTo(5);
        }

        @Test
        void should_take_rst_s_number_of_steps_with_a_cosine_schedule_and_reference_sgd() {
            // 100 passes over 50,000 labelled images in batches of 128 labelled + 128 extra:
            // 39,100 steps, RST's 200 epochs of ceil(50,000 / 256) = 196 batches: 39,200
            assertThat(recipe.epochs() * (int) Math.ceil(50_000 / 128.0)).isEqualTo(39_100);
            assertThat(recipe.schedule()).isEqualTo(Schedules.cosine());
            assertThat(recipe.optimizer()).isEqualTo(REFERENCE_SGD);
            assertThat(recipe.weightAveraging().isActive()).isFalse();
        }
    }

    @Nested
    class TradesAwpEma {
        private final AdversarialTraining recipe = Recipes.tradesAwpEma();

        @Test
        void should_be_trades_awp_with_an_ema_of_decay_0999() {
            assertThat(recipe.withWeightAveraging(WeightAveraging.none()))
                    .isEqualTo(Recipes.tradesAwp());
            assertThat(recipe.weightAveraging().kind()).isEqualTo(AveragingKind.EMA);
            assertThat(recipe.weightAveraging().decay()).isEqualTo(0.999);
            assertThat(recipe.weightAveraging().warmupSteps()).isZero();
        }

        @Test
        void should_leave_the_paper_recipes_unaveraged() {
            assertThat(Recipes.tradesAwp().weightAveraging().isActive()).isFalse();
            assertThat(Recipes.atAwp().weightAveraging().isActive()).isFalse();
        }
    }
}
