package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.awp.attack.Attacks;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.report.RobustnessReport;
import dev.awp.training.EvaluationPlan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RobustnessProbeTest {

    static final EvaluationPlan PLAN =
            EvaluationPlan.builder()
                    .subsetSize(10)
                    .trainSubsetSize(12)
                    .subsetSeed(4)
                    .attack(Attacks.pgd(2))
                    .build();

    @Test
    void should_draw_the_same_subsets_every_time() {
        RobustnessProbe first =
                new RobustnessProbe(PLAN, TinyRuns.TRAIN, TinyRuns.VALIDATION, 8, 1, false);
        RobustnessProbe second =
                new RobustnessProbe(PLAN, TinyRuns.TRAIN, TinyRuns.VALIDATION, 8, 2, false);

        assertThat(first.validationSubset().size()).isEqualTo(10);
        assertThat(first.trainSubset().orElseThrow().size()).isEqualTo(12);
        ImageDataset firstValidation = (ImageDataset) first.validationSubset();
        ImageDataset secondValidation = (ImageDataset) second.validationSubset();
        assertThat(secondValidation.labels()).isEqualTo(firstValidation.labels());
        assertThat(secondValidation.image(3)).isEqualTo(firstValidation.image(3));
        assertThat(((ImageDataset) second.trainSubset().orElseThrow()).image(5))
                .isEqualTo(((ImageDataset) first.trainSubset().orElseThrow()).image(5));
    }

    @Test
    void should_use_the_whole_split_when_the_subset_is_larger() {
        RobustnessProbe probe =
                new RobustnessProbe(
                        PLAN.withSubsetSize(1000).withTrainSubsetSize(0),
                        TinyRuns.TRAIN,
                        TinyRuns.VALIDATION,
                        8,
                        1,
                        false);
        ClassificationData validation = probe.validationSubset();

        assertThat(validation).isSameAs(TinyRuns.VALIDATION);
        assertThat(probe.trainSubset()).isEmpty();
    }

    @Test
    void should_measure_the_same_values_twice_without_touching_the_model() {
        RobustnessProbe probe =
                new RobustnessProbe(PLAN, TinyRuns.TRAIN, TinyRuns.VALIDATION, 8, 1, false);
        Engine.getInstance().setRandomSeed(3);
        try (Model model = TinyRuns.model();
                Trainer trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
            trainer.initialize(new Shape(1, 3, 32, 32));
            Map<String, float[]> before = TinyRuns.weights(model);
            RobustnessProbe.Result first = probe.measure(trainer);
            RobustnessProbe.Result second = probe.measure(trainer);
            Map<String, float[]> after = TinyRuns.weights(model);

            assertThat(second).isEqualTo(first);
            assertThat(first.clean().total()).isEqualTo(10);
            assertThat(first.trainRobust().orElseThrow().total()).isEqualTo(12);
            for (String name : before.keySet()) {
                assertThat(after.get(name)).as(name).isEqualTo(before.get(name));
            }
        }
    }

    @Test
    void should_measure_what_a_robustness_evaluator_with_the_same_settings_reports() {
        RobustnessProbe probe =
                new RobustnessProbe(PLAN, TinyRuns.TRAIN, TinyRuns.VALIDATION, 8, 1, true);
        Engine.getInstance().setRandomSeed(3);
        try (Model model = TinyRuns.model();
                Trainer trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
            trainer.initialize(new Shape(1, 3, 32, 32));
            RobustnessProbe.Result result = probe.measure(trainer);
            RobustnessReport validation =
                    RobustnessEvaluator.builder()
                            .optAttacks(List.of(Attacks.pgd(2)))
                            .optBatchSize(8)
                            .optSeed(RunSeeds.evaluation(1, 0))
                            .optNoProgress()
                            .build()
                            .evaluate(AttackTarget.of(trainer), probe.validationSubset());
            RobustnessReport train =
                    RobustnessEvaluator.builder()
                            .optAttacks(List.of(Attacks.pgd(2)))
                            .optBatchSize(8)
                            .optSeed(RunSeeds.evaluation(1, 1))
                            .optNoProgress()
                            .build()
                            .evaluate(AttackTarget.of(trainer), probe.trainSubset().orElseThrow());

            assertThat(result.clean()).isEqualTo(validation.cleanAccuracy());
            assertThat(result.robust()).isEqualTo(validation.robustAccuracy());
            assertThat(result.trainRobust()).contains(train.robustAccuracy());
            assertThat(result.robust().correct()).isLessThanOrEqualTo(result.clean().correct());
        }
    }

    @Test
    void should_change_no_other_number_when_it_also_measures_fgsm() {
        RobustnessProbe without =
                new RobustnessProbe(PLAN, TinyRuns.TRAIN, TinyRuns.VALIDATION, 8, 1, false);
        RobustnessProbe with =
                new RobustnessProbe(PLAN, TinyRuns.TRAIN, TinyRuns.VALIDATION, 8, 1, true);
        Engine.getInstance().setRandomSeed(3);
        try (Model model = TinyRuns.model();
                Trainer trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
            trainer.initialize(new Shape(1, 3, 32, 32));
            RobustnessProbe.Result first = without.measure(trainer);
            RobustnessProbe.Result second = with.measure(trainer);

            assertThat(first.fgsm()).isEmpty();
            assertThat(second.fgsm()).isPresent();
            assertThat(second.fgsm().orElseThrow().total()).isEqualTo(10);
            assertThat(
                            new RobustnessProbe.Result(
                                    second.clean(),
                                    second.robust(),
                                    second.trainRobust(),
                                    Optional.empty()))
                    .isEqualTo(first);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"PGD", "FGSM", "APGD", "bound PGD"})
    void should_evaluate_every_built_in_attack_in_inference_mode(String kind) {
        dev.awp.attack.BatchNormMode train = dev.awp.attack.BatchNormMode.TRAIN;
        dev.awp.attack.Attack attack =
                switch (kind) {
                    case "PGD" -> dev.awp.attack.Attacks.pgd(2).withBatchNormMode(train);
                    case "FGSM" -> dev.awp.attack.Attacks.fgsm().withBatchNormMode(train);
                    case "APGD" -> dev.awp.attack.Attacks.apgdCe().withBatchNormMode(train);
                    default ->
                            dev.awp.djl.attack.InputAttacks.bind(
                                    dev.awp.attack.Attacks.pgd(2).withBatchNormMode(train));
                };
        assertThat(attack.batchNormMode()).isEqualTo(train);

        dev.awp.attack.Attack probed = RobustnessProbe.inInferenceMode(attack);

        assertThat(probed.batchNormMode()).isEqualTo(dev.awp.attack.BatchNormMode.EVAL);
        assertThat(probed.threatModel()).isEqualTo(attack.threatModel());
    }
}
