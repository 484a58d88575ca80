package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.Loss;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.djl.objective.ObjectiveLoss;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.testing.TestModels;
import dev.awp.objective.Objective;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link AwpEasyTrain} in DJL's {@code EasyTrain} shape: {@code trainBatch} that leaves the step to
 * the caller, {@code validateBatch}, {@code evaluateDataset}, {@code fit}, and DJL's evaluators
 * seeing the objective's loss through {@link ObjectiveLoss}.
 */
class AwpEasyTrainDjlShapeTest {

    private static final Attack ATTACK = Attacks.pgd(2);

    private static AwpOptimizer awp() {
        return AwpOptimizer.wrap(TestModels.sgd(0.05f, 0.9f, 5e-4f), WeightPerturbation.of(0.01));
    }

    /** Every parameter of the model, BatchNorm running statistics included. */
    private static Map<String, NDArray> snapshot(Trainer trainer, NDManager manager) {
        return TestModels.snapshot(trainer.getModel().getBlock(), manager);
    }

    private static void assertBitIdentical(
            Map<String, NDArray> actual, Map<String, NDArray> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String name : expected.keySet()) {
            assertThat(actual.get(name).toFloatArray())
                    .as(name)
                    .containsExactly(expected.get(name).toFloatArray());
        }
    }

    /** Three steps, either as trainBatch + trainer.step() or as trainStep; the final parameters. */
    private static Map<String, NDArray> threeSteps(
            Objective objective, boolean djlShape, NDManager keep) {
        Engine.getInstance().setRandomSeed(41);
        AwpOptimizer awp = awp();
        try (Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, awp, AwpEasyTrainTest.INPUT);
                Batch batch = AwpEasyTrainTest.batch(trainer.getManager())) {
            for (int step = 0; step < 3; step++) {
                Engine.getInstance().setRandomSeed(100 + step);
                if (djlShape) {
                    BatchResult result =
                            AwpEasyTrain.trainBatch(trainer, awp, ATTACK, objective, batch);
                    assertThat(result.perturbed()).isTrue();
                    assertThat(awp.hasAppliedPerturbation()).isTrue();
                    trainer.step();
                    assertThat(awp.hasAppliedPerturbation()).isFalse();
                } else {
                    AwpEasyTrain.trainStep(trainer, awp, ATTACK, objective, batch);
                }
            }
            return snapshot(trainer, keep);
        }
    }

    static List<Objective> objectives() {
        return List.of(Objectives.pgdAt(), Objectives.trades());
    }

    @ParameterizedTest
    @MethodSource("objectives")
    void trainBatch_then_step_should_equal_trainStep_bit_for_bit(Objective objective) {
        try (NDManager keep = NDManager.newBaseManager()) {
            Map<String, NDArray> djl = threeSteps(objective, true, keep);
            Map<String, NDArray> whole = threeSteps(objective, false, keep);
            assertBitIdentical(djl, whole);
        }
    }

    @Test
    void trainBatch_should_not_step_and_leave_w_plus_v_until_the_step() {
        Engine.getInstance().setRandomSeed(43);
        AwpOptimizer awp = awp();
        try (NDManager keep = NDManager.newBaseManager();
                Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, awp, AwpEasyTrainTest.INPUT);
                Batch batch = AwpEasyTrainTest.batch(trainer.getManager())) {
            NDArray kernel = TestModels.parameter(trainer.getModel().getBlock(), "01Conv2d_weight");
            float[] w = kernel.toFloatArray();

            AwpEasyTrain.trainBatch(trainer, awp, ATTACK, Objectives.pgdAt(), batch);
            float[] perturbed = kernel.toFloatArray();

            assertThat(perturbed).as("w + v before the caller's step").isNotEqualTo(w);
            assertThat(awp.hasAppliedPerturbation()).isTrue();
            awp.restorePerturbation();
            assertThat(kernel.toFloatArray())
                    .as("restored by the reference's (w + v) - v")
                    .containsExactly(w, within(restoreTolerance(w)))
                    .isNotEqualTo(perturbed);
            assertThat(awp.hasAppliedPerturbation()).isFalse();
        }
    }

    @Test
    void trainBatch_twice_without_a_step_should_restore_w_and_fail_clearly() {
        Engine.getInstance().setRandomSeed(47);
        AwpOptimizer awp = awp();
        try (NDManager keep = NDManager.newBaseManager();
                Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, awp, AwpEasyTrainTest.INPUT);
                Batch batch = AwpEasyTrainTest.batch(trainer.getManager())) {
            Map<String, NDArray> before = snapshot(trainer, keep);
            AwpEasyTrain.trainBatch(trainer, awp, ATTACK, Objectives.pgdAt(), batch);
            Map<String, NDArray> afterFirst = snapshot(trainer, keep);

            assertThatThrownBy(
                            () ->
                                    AwpEasyTrain.trainBatch(
                                            trainer, awp, ATTACK, Objectives.pgdAt(), batch))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Call trainer.step() once after each")
                    .hasMessageContaining("restored to w");

            assertThat(awp.hasAppliedPerturbation()).isFalse();
            Map<String, NDArray> after = snapshot(trainer, keep);
            // the perturbed tensors are back at w; BatchNorm statistics keep the first forward's
            for (String name : before.keySet()) {
                NDArray expected =
                        name.contains("running") ? afterFirst.get(name) : before.get(name);
                float[] values = expected.toFloatArray();
                float tolerance =
                        FaultInjectionTest.PERTURBED.test(name) ? restoreTolerance(values) : 0f;
                assertThat(after.get(name).toFloatArray())
                        .as(name)
                        .containsExactly(values, within(tolerance));
            }
        }
    }

    @Test
    void trainStep_should_refuse_an_awp_optimizer_that_is_not_the_trainers_and_keep_the_weights() {
        Engine.getInstance().setRandomSeed(53);
        AwpOptimizer awp = awp();
        try (NDManager keep = NDManager.newBaseManager();
                Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer =
                        TestModels.trainer(
                                model, TestModels.sgd(0.05f, 0.9f, 0f), AwpEasyTrainTest.INPUT);
                Batch batch = AwpEasyTrainTest.batch(trainer.getManager())) {
            Map<String, NDArray> before = snapshot(trainer, keep);

            assertThatThrownBy(
                            () ->
                                    AwpEasyTrain.trainStep(
                                            trainer, awp, ATTACK, Objectives.pgdAt(), batch))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not the trainer's optimizer");

            Map<String, NDArray> after = snapshot(trainer, keep);
            for (String name : before.keySet()) {
                if (!name.contains("running")) {
                    assertThat(after.get(name).toFloatArray())
                            .as(name)
                            .containsExactly(before.get(name).toFloatArray());
                }
            }
            assertThat(awp.hasAppliedPerturbation()).isFalse();
        }
    }

    /** Records what DJL's training listeners see and what the trainer's loss says of it. */
    private static final class LossRecorder extends TrainingListenerAdapter {
        final List<Integer> predictionCounts = new ArrayList<>();
        final List<Float> losses = new ArrayList<>();

        @Override
        public void onTrainingBatch(Trainer trainer, BatchData data) {
            record(trainer, data);
        }

        @Override
        public void onValidationBatch(Trainer trainer, BatchData data) {
            record(trainer, data);
        }

        private void record(Trainer trainer, BatchData data) {
            NDList predictions = data.getPredictions().values().iterator().next();
            NDList labels = data.getLabels().values().iterator().next();
            predictionCounts.add(predictions.size());
            losses.add(trainer.getLoss().evaluate(labels, predictions).getFloat());
        }
    }

    private static BatchResult stepWithLoss(Loss loss, Objective objective, LossRecorder recorder) {
        Engine.getInstance().setRandomSeed(59);
        AwpOptimizer awp = awp();
        try (Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(loss)
                                        .optOptimizer(awp)
                                        .addTrainingListeners(recorder))) {
            trainer.initialize(AwpEasyTrainTest.INPUT);
            try (Batch batch = AwpEasyTrainTest.batch(trainer.getManager())) {
                Engine.getInstance().setRandomSeed(61);
                return AwpEasyTrain.trainStep(trainer, awp, ATTACK, objective, batch);
            }
        }
    }

    @Test
    void djl_evaluators_should_see_the_objectives_loss_through_ObjectiveLoss() {
        Objective trades = Objectives.trades();
        LossRecorder objectiveLoss = new LossRecorder();
        BatchResult result = stepWithLoss(ObjectiveLoss.of(trades), trades, objectiveLoss);

        assertThat(objectiveLoss.predictionCounts).containsExactly(2);
        assertThat(objectiveLoss.losses.get(0)).isEqualTo((float) result.loss());

        LossRecorder crossEntropy = new LossRecorder();
        BatchResult same = stepWithLoss(Loss.softmaxCrossEntropyLoss(), trades, crossEntropy);
        assertThat(same.loss()).isEqualTo(result.loss());
        assertThat(crossEntropy.predictionCounts).containsExactly(1);
        assertThat(crossEntropy.losses.get(0))
                .as("cross-entropy of the adversarial logits is not the TRADES loss")
                .isNotEqualTo((float) result.loss());
    }

    @Test
    void ObjectiveLoss_should_say_when_the_clean_logits_are_missing() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(4, 3));
            NDArray labels = manager.create(new long[] {0, 1, 2, 0});
            ObjectiveLoss loss = ObjectiveLoss.of(Objectives.mart());

            assertThat(loss.getName()).isEqualTo(Objectives.mart().name());
            assertThatThrownBy(() -> loss.evaluate(new NDList(labels), new NDList(logits)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs the clean logits as the second prediction");
            float pgdAt =
                    ObjectiveLoss.of(Objectives.pgdAt())
                            .evaluate(new NDList(labels.reshape(4, 1)), new NDList(logits))
                            .getFloat();
            float crossEntropy =
                    Loss.softmaxCrossEntropyLoss()
                            .evaluate(new NDList(labels), new NDList(logits))
                            .getFloat();
            assertThat(pgdAt).isCloseTo(crossEntropy, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void validateBatch_should_measure_at_w_without_changing_weights_or_statistics() {
        Engine.getInstance().setRandomSeed(67);
        LossRecorder recorder = new LossRecorder();
        try (NDManager keep = NDManager.newBaseManager();
                Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                        .optOptimizer(TestModels.sgd(0.05f, 0.9f, 0f))
                                        .addTrainingListeners(recorder))) {
            trainer.initialize(AwpEasyTrainTest.INPUT);
            try (Batch batch = AwpEasyTrainTest.batch(trainer.getManager())) {
                for (int step = 0; step < 5; step++) {
                    AwpEasyTrain.trainStep(trainer, ATTACK, Objectives.pgdAt(), batch);
                }
                recorder.predictionCounts.clear();
                Map<String, NDArray> before = snapshot(trainer, keep);

                ValidationResult result =
                        AwpEasyTrain.validateBatch(trainer, Attacks.pgd(5), batch);

                assertBitIdentical(snapshot(trainer, keep), before);
                NDArray y = batch.getLabels().head();
                long clean =
                        trainer.evaluate(batch.getData()).head().argMax(1).eq(y).sum().getLong();
                assertThat(result.size()).isEqualTo(16);
                assertThat(result.cleanCorrect()).isEqualTo(clean);
                assertThat(result.adversarialCorrect()).isBetween(0L, 16L);
                assertThat(recorder.predictionCounts).as("onValidationBatch").containsExactly(1);
            }
        }
    }

    @Test
    void fit_should_train_validate_and_drive_the_awp_warm_up() throws Exception {
        Engine.getInstance().setRandomSeed(71);
        AwpOptimizer awp =
                AwpOptimizer.wrap(
                        TestModels.sgd(0.05f, 0.9f, 5e-4f),
                        WeightPerturbation.builder().gamma(0.01).warmupEpochs(1).build());
        AtomicInteger epochs = new AtomicInteger();
        try (Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(ObjectiveLoss.of(Objectives.trades()))
                                        .optOptimizer(awp)
                                        .addTrainingListeners(
                                                new TrainingListenerAdapter() {
                                                    @Override
                                                    public void onEpoch(Trainer trainer) {
                                                        epochs.incrementAndGet();
                                                    }
                                                }))) {
            trainer.initialize(AwpEasyTrainTest.INPUT);
            NDManager manager = trainer.getManager();
            NDArray x = manager.randomUniform(0f, 1f, new ai.djl.ndarray.types.Shape(48, 3, 6, 6));
            NDArray y = x.mean(new int[] {3}).mean(new int[] {2}).argMax(1);
            ArrayDataset train =
                    new ArrayDataset.Builder()
                            .setData(x.get("0:32"))
                            .optLabels(y.get("0:32").toType(DataType.FLOAT32, false))
                            .setSampling(16, false)
                            .build();
            ArrayDataset test =
                    new ArrayDataset.Builder()
                            .setData(x.get("32:48"))
                            .optLabels(y.get("32:48"))
                            .setSampling(8, false)
                            .build();

            List<EpochResult> results =
                    AwpEasyTrain.fit(trainer, 2, train, test, ATTACK, Objectives.trades(), awp);

            assertThat(results).hasSize(2);
            assertThat(results.get(0).epoch()).isZero();
            assertThat(results.get(0).perturbedBatches()).as("warm-up").isZero();
            assertThat(results.get(1).perturbedBatches()).isEqualTo(2);
            assertThat(results.get(1).trainSize()).isEqualTo(32);
            assertThat(results.get(1).validation().size()).isEqualTo(16);
            assertThat(Double.isFinite(results.get(1).trainLoss())).isTrue();
            assertThat(results.get(1).toString()).contains("epoch 1: train loss");
            assertThat(awp.getEpoch()).isEqualTo(2);
            assertThat(epochs).hasValue(2);
            assertThat(awp.hasAppliedPerturbation()).isFalse();
        }
    }

    @Test
    void fit_without_awp_should_train_the_base_method_and_perturb_no_batch() throws Exception {
        Engine.getInstance().setRandomSeed(72);
        try (Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(ObjectiveLoss.of(Objectives.pgdAt()))
                                        .optOptimizer(TestModels.sgd(0.05f, 0.9f, 5e-4f)))) {
            trainer.initialize(AwpEasyTrainTest.INPUT);
            NDManager manager = trainer.getManager();
            NDArray x = manager.randomUniform(0f, 1f, new ai.djl.ndarray.types.Shape(32, 3, 6, 6));
            NDArray y = x.mean(new int[] {3}).mean(new int[] {2}).argMax(1);
            ArrayDataset train =
                    new ArrayDataset.Builder()
                            .setData(x)
                            .optLabels(y)
                            .setSampling(16, false)
                            .build();
            NDArray before = model.getBlock().getParameters().valueAt(0).getArray().duplicate();

            List<EpochResult> results =
                    AwpEasyTrain.fit(trainer, 1, train, null, ATTACK, Objectives.pgdAt());

            assertThat(results).hasSize(1);
            assertThat(results.get(0).perturbedBatches()).isZero();
            assertThat(results.get(0).trainSize()).isEqualTo(32);
            assertThat(results.get(0).validation()).isNull();
            assertThat(model.getBlock().getParameters().valueAt(0).getArray().contentEquals(before))
                    .as("the weights moved")
                    .isFalse();
        }
    }

    /**
     * The rounding of the reference's restore {@code (w + v) − v} on a tensor {@code w}: {@code
     * 1e-6 · (max|w| + ‖w‖)} (see {@link FaultInjectionTest#assertSameBytes}).
     */
    static float restoreTolerance(float[] w) {
        double max = 0;
        double squares = 0;
        for (float value : w) {
            max = Math.max(max, Math.abs(value));
            squares += (double) value * value;
        }
        return (float) (1e-6 * (max + Math.sqrt(squares)));
    }
}
