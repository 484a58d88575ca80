package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.ThreatModel;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AdversarialTrainingTest {

    /** A plain PGD-AT run of 10 epochs with every default. */
    private static AdversarialTraining tenEpochs() {
        return AdversarialTraining.builder()
                .objective(Objectives.pgdAt())
                .attack(Attacks.pgdTraining())
                .epochs(10)
                .build();
    }

    @Nested
    class Defaults {
        @Test
        void should_train_without_weight_perturbation() {
            assertThat(tenEpochs().weightPerturbation()).isEqualTo(WeightPerturbation.none());
        }

        @Test
        void should_use_batch_128() {
            assertThat(tenEpochs().batchSize()).isEqualTo(128);
        }

        @Test
        void should_use_the_reference_sgd() {
            assertThat(tenEpochs().optimizer()).isEqualTo(OptimizerSpec.sgd(0.1, 0.9, 5e-4));
        }

        @Test
        void should_use_the_piecewise_reference_schedule() {
            assertThat(tenEpochs().schedule()).isEqualTo(Schedules.reference());
        }

        @Test
        void should_use_the_default_evaluation_and_checkpoints() {
            assertThat(tenEpochs().evaluation()).isEqualTo(EvaluationPlan.builder().build());
            assertThat(tenEpochs().checkpoints()).isEqualTo(CheckpointPolicy.builder().build());
        }

        @Test
        void should_use_seed_0() {
            assertThat(tenEpochs().seed()).isZero();
        }

        @Test
        void should_require_objective_attack_and_epochs() {
            assertThatIllegalStateException()
                    .isThrownBy(() -> AdversarialTraining.builder().build())
                    .withMessageContaining("objective")
                    .withMessageContaining("attack")
                    .withMessageContaining("epochs");
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            AdversarialTraining run = tenEpochs();
            return Stream.of(
                    invalid("zero epochs", () -> run.withEpochs(0), "epochs", "0"),
                    invalid("zero batchSize", () -> run.withBatchSize(0), "batchSize", "0"),
                    invalid(
                            "negative batchSize",
                            () -> run.withBatchSize(-128),
                            "batchSize",
                            "-128"),
                    invalid(
                            "AWP warm-up as long as the run",
                            () ->
                                    run.withWeightPerturbation(
                                            WeightPerturbation.of(0.005).withWarmupEpochs(10)),
                            "weightPerturbation.warmupEpochs",
                            "10"),
                    invalid(
                            "AWP warm-up longer than the run",
                            () ->
                                    run.withWeightPerturbation(
                                            WeightPerturbation.of(0.005).withWarmupEpochs(25)),
                            "weightPerturbation.warmupEpochs",
                            "25"),
                    invalid(
                            "multi-step milestone at the end of the run",
                            () -> run.withSchedule(Schedules.multiStep(0.1, 5, 10)),
                            "schedule.milestones",
                            "[5, 10]"),
                    invalid(
                            "TRADES schedule on a 100-epoch run",
                            () -> Recipes.trades().withEpochs(100),
                            "schedule.milestones",
                            "[99, 149]"),
                    invalid(
                            "cosine minimum above the learning rate",
                            () -> run.withSchedule(Schedules.cosine().withMinLearningRate(0.2)),
                            "schedule.minLearningRate",
                            "0.2"),
                    invalid(
                            "evaluation period longer than the run",
                            () ->
                                    run.withEvaluation(
                                            EvaluationPlan.builder().everyEpochs(11).build()),
                            "evaluation.everyEpochs",
                            "11"),
                    invalid(
                            "checkpoint period longer than the run",
                            () ->
                                    run.withCheckpoints(
                                            CheckpointPolicy.builder().everyEpochs(11).build()),
                            "checkpoints.everyEpochs",
                            "11"),
                    invalid(
                            "evaluation under another threat model",
                            () -> run.withAttack(Attacks.pgdTrainingL2()),
                            "evaluation.attack.threatModel",
                            "ThreatModel{norm=LINF"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }

        @Test
        void should_name_the_epochs_in_the_warmup_message() {
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    tenEpochs()
                                            .withWeightPerturbation(
                                                    WeightPerturbation.of(0.005)
                                                            .withWarmupEpochs(10)))
                    .withMessageStartingWith(
                            "weightPerturbation.warmupEpochs must be < epochs (10) but was 10")
                    .withMessageContaining("WeightPerturbation.none()");
        }

        @Test
        void should_say_how_to_fix_a_milestone_past_the_end() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> tenEpochs().withSchedule(Schedules.multiStep(0.1, 12)))
                    .withMessageContaining("0-based")
                    .withMessageContaining("Schedules.reference()");
        }
    }

    @Nested
    class Accepted {
        @Test
        void should_accept_a_long_warmup_when_awp_is_off() {
            WeightPerturbation off = WeightPerturbation.none().withWarmupEpochs(50);
            assertThat(tenEpochs().withWeightPerturbation(off).weightPerturbation()).isEqualTo(off);
        }

        @Test
        void should_accept_the_last_epoch_as_milestone() {
            assertThat(tenEpochs().withSchedule(Schedules.multiStep(0.1, 9)).schedule())
                    .isEqualTo(Schedules.multiStep(0.1, 9));
        }

        @Test
        void should_accept_periods_as_long_as_the_run() {
            AdversarialTraining run =
                    tenEpochs()
                            .withEvaluation(EvaluationPlan.builder().everyEpochs(10).build())
                            .withCheckpoints(CheckpointPolicy.builder().everyEpochs(10).build());
            assertThat(run.evaluation().everyEpochs()).isEqualTo(10);
            assertThat(run.checkpoints().everyEpochs()).isEqualTo(10);
        }

        @Test
        void should_accept_a_cosine_minimum_equal_to_the_learning_rate() {
            CosineSchedule flat = Schedules.cosine().withMinLearningRate(0.1);
            assertThat(tenEpochs().withSchedule(flat).schedule()).isEqualTo(flat);
        }

        @Test
        void should_accept_an_l2_run_evaluated_under_l2() {
            AdversarialTraining l2 =
                    AdversarialTraining.builder()
                            .from(tenEpochs())
                            .attack(Attacks.pgdTrainingL2())
                            .evaluation(
                                    EvaluationPlan.builder()
                                            .attack(
                                                    Attacks.pgd20()
                                                            .withThreatModel(
                                                                    Attacks.pgdTrainingL2()
                                                                            .threatModel()))
                                            .build())
                            .build();
            assertThat(l2.evaluation().attack().threatModel()).isEqualTo(l2.attack().threatModel());
        }

        @Test
        void should_shorten_a_recipe_as_documented() {
            AdversarialTraining short20 =
                    Recipes.tradesAwp()
                            .withSchedule(Schedules.multiStep(0.1, 10, 15))
                            .withEpochs(20);
            assertThat(short20.epochs()).isEqualTo(20);
            assertThat(short20.weightPerturbation().warmupEpochs()).isEqualTo(9);
        }

        @Test
        void should_shorten_a_recipe_when_the_schedule_is_changed_first() {
            AdversarialTraining short10 =
                    Recipes.tradesAwp()
                            .withSchedule(Schedules.multiStep(0.1, 5, 8))
                            .withWeightPerturbation(
                                    WeightPerturbation.of(0.005).withWarmupEpochs(1))
                            .withEpochs(10);
            assertThat(short10.epochs()).isEqualTo(10);
        }
    }

    @Nested
    class ThreatModelInOneCall {

        @Test
        void should_change_the_training_and_evaluation_attacks_together() {
            ThreatModel mnist = ThreatModel.linf(0.1);
            AdversarialTraining spec = Recipes.atAwp().withThreatModel(mnist);

            assertThat(spec.attack().threatModel()).isEqualTo(mnist);
            assertThat(spec.evaluation().attack().threatModel()).isEqualTo(mnist);
            // everything else is kept
            assertThat(spec.withThreatModel(Recipes.atAwp().attack().threatModel()))
                    .isEqualTo(Recipes.atAwp());
            assertThat(((dev.awp.attack.PgdAttack) spec.attack()).steps())
                    .isEqualTo(((dev.awp.attack.PgdAttack) Recipes.atAwp().attack()).steps());
        }

        @Test
        void should_name_a_custom_attack_that_cannot_change_its_threat_model() {
            Attack custom =
                    new Attack() {
                        @Override
                        public ThreatModel threatModel() {
                            return Attacks.pgdTraining().threatModel();
                        }

                        @Override
                        public String name() {
                            return "my-attack";
                        }
                    };
            AdversarialTraining spec = Recipes.atAwp().withAttack(custom);

            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> spec.withThreatModel(ThreatModel.linf(0.1)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("my-attack")
                    .hasMessageContaining("override Attack.withThreatModel");
            assertThat(custom.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
            assertThat(custom.withBatchNormMode(BatchNormMode.EVAL)).isSameAs(custom);
        }
    }

    @Nested
    class ExtraData {
        @Test
        void should_default_to_no_extra_data() {
            assertThat(Recipes.at().extraDataFraction()).isZero();
        }

        @Test
        void should_reject_a_fraction_outside_zero_one() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> Recipes.at().withExtraDataFraction(1.0))
                    .withMessage("extraDataFraction must be in [0, 1) but was 1.0");
        }
    }
}
