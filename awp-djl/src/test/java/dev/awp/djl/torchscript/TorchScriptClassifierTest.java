package dev.awp.djl.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.translate.Batchifier;
import ai.djl.util.Pair;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.attack.InputGradients;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.diagnostics.PerturbationComparison;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.perturbation.AppliedPerturbation;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.testing.TestModels;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.event.EpochEnded;
import dev.awp.event.TrainingEventListener;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.RobustnessReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Schedules;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small TorchScript CNN with BatchNorm and a residual block, scripted by PyTorch 1.13
 * (awp-examples/src/main/python/torchscript_models.py, committed under test resources), loaded by
 * DJL's PyTorch engine and run through awp.
 */
class TorchScriptClassifierTest {

    private static final String RESOURCES = "/dev/awp/djl/torchscript/";
    private static final Shape INPUT = new Shape(2, 3, 8, 8);
    private static final float GAMMA = 0.01f;

    @TempDir Path directory;
    private final List<Model> models = new ArrayList<>();
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void tearDown() {
        models.forEach(Model::close);
        manager.close();
    }

    /** Loads a committed script with the PyTorch engine, as a user would. */
    private Model load(String file, boolean trainParam) {
        try (InputStream in =
                TorchScriptClassifierTest.class.getResourceAsStream(RESOURCES + file)) {
            Path dir = Files.createDirectories(directory.resolve("load-" + models.size()));
            Files.copy(in, dir.resolve("model.pt"));
            Model model = Model.newInstance(file, "PyTorch");
            models.add(model);
            model.load(dir, "model.pt", Map.of("trainParam", String.valueOf(trainParam)));
            return model;
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException(e);
        }
    }

    private TorchScriptClassifier classifier() {
        return TorchScriptClassifier.of(load("small_res_cnn.pt", true));
    }

    /** The input batch and PyTorch's eval-mode logits for it, from the golden file. */
    private static float[][] golden() {
        try (InputStream in =
                TorchScriptClassifierTest.class.getResourceAsStream(
                        RESOURCES + "small_res_cnn_golden.txt")) {
            List<float[]> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] tokens = line.trim().split(" ");
                float[] row = new float[tokens.length];
                for (int i = 0; i < tokens.length; i++) {
                    row[i] = Float.parseFloat(tokens[i]);
                }
                rows.add(row);
            }
            return rows.toArray(new float[0][]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private NDArray x() {
        return manager.create(golden()[0], INPUT);
    }

    private NDArray y() {
        return manager.create(new long[] {1, 3});
    }

    private float[] evalLogits(TorchScriptClassifier block) {
        ParameterStore store = new ParameterStore(manager, false);
        try (NDArray logits = block.forward(store, new NDList(x()), false).head()) {
            return logits.toFloatArray();
        }
    }

    private static Map<String, float[]> weights(TorchScriptClassifier block) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> pair : block.getParameters()) {
            out.put(pair.getKey(), pair.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private Trainer trainer(Model model, Optimizer optimizer) {
        return TestModels.trainer(model, optimizer, new Shape(2, 3, 8, 8));
    }

    @Nested
    class Loading {

        @Test
        void should_reject_a_model_loaded_without_trainParam() {
            Model model = load("small_res_cnn.pt", false);
            assertThatThrownBy(() -> TorchScriptClassifier.of(model))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be loaded with trainParam")
                    .hasMessageContaining("Map.of(\"trainParam\", \"true\")");
        }

        @Test
        void should_reject_a_script_without_parameters() {
            Model model = load("no_parameters.pt", true);
            assertThatThrownBy(() -> TorchScriptClassifier.of(model))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must have parameters but has none")
                    .hasMessageContaining("torch.jit.freeze");
        }

        @Test
        void should_reject_a_block_that_is_not_torchscript() {
            Model model = TestModels.model("mlp", TestModels.mlp(), DataType.FLOAT32);
            models.add(model);
            assertThatThrownBy(() -> TorchScriptClassifier.of(model))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be a TorchScript module");
        }

        @Test
        void should_reject_an_output_of_probabilities() {
            TorchScriptClassifier block = TorchScriptClassifier.of(load("probabilities.pt", true));
            assertThatThrownBy(() -> evalLogits(block))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("looks like probabilities")
                    .hasMessageContaining("remove the final softmax");
        }

        @Test
        void should_reject_a_tuple_output() {
            TorchScriptClassifier block = TorchScriptClassifier.of(load("tuple_output.pt", true));
            assertThatThrownBy(() -> evalLogits(block))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("must be one float tensor of class logits")
                    .hasMessageContaining("2 tensors")
                    .hasMessageContaining("return only the logits tensor");
        }

        @Test
        void should_evaluate_weights_frozen_after_loading_with_trainParam() {
            Model model = load("small_res_cnn.pt", true);
            model.getBlock().freezeParameters(true);
            TorchScriptClassifier block = TorchScriptClassifier.of(model);
            try (NDArray gradient =
                    InputGradients.of(
                            AttackTarget.of(block),
                            x(),
                            BatchNormMode.EVAL,
                            logits -> Losses.crossEntropy(logits, y()))) {
                assertThat(gradient.abs().sum().getFloat()).isPositive();
            }
        }

        @Test
        void should_become_the_model_block_with_the_script_parameters() {
            Model model = load("small_res_cnn.pt", true);
            TorchScriptClassifier block = TorchScriptClassifier.of(model);
            assertThat(model.getBlock()).isSameAs(block);
            assertThat(TorchScriptClassifier.of(model)).isSameAs(block);
            assertThat(block.getParameters().keys())
                    .contains("conv.weight", "bn.weight", "block.conv1.weight", "fc.weight");
            assertThat(block.getParameters().get("conv.weight").getType())
                    .isEqualTo(Parameter.Type.WEIGHT);
            assertThat(block.describeInput().size()).isZero();
            assertThat(block.getOutputShapes(new Shape[] {INPUT})).containsExactly(new Shape(2, 4));
        }
    }

    @Nested
    class InferenceMode {

        @Test
        void should_give_the_logits_pytorch_gives() {
            float[] expected = golden()[1];
            float[] actual = evalLogits(classifier());
            assertThat(actual.length).isEqualTo(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], within(1e-5f));
            }
        }

        @Test
        void should_compute_input_gradients_and_keep_the_statistics() {
            TorchScriptClassifier block = classifier();
            float[] before = evalLogits(block);
            try (NDArray gradient =
                    InputGradients.of(
                            AttackTarget.of(block),
                            x(),
                            BatchNormMode.EVAL,
                            logits -> Losses.crossEntropy(logits, y()))) {
                assertThat(gradient.getShape()).isEqualTo(INPUT);
                assertThat(gradient.abs().sum().getFloat()).isPositive();
            }
            NDArray adversarial =
                    InputAttacks.bind(Attacks.pgd(5)).generate(AttackTarget.of(block), x(), y());
            assertThat(adversarial.sub(x()).abs().max().getFloat())
                    .isPositive()
                    .isLessThanOrEqualTo(8f / 255 + 1e-6f);
            assertThat(evalLogits(block)).containsExactly(before);
            for (Parameter parameter : block.getParameters().values()) {
                assertThat(parameter.getArray().hasGradient()).isTrue();
            }
        }
    }

    @Nested
    class Evaluation {

        @Test
        void should_evaluate_every_attack_family_in_inference_mode() {
            Model model = load("res_cnn_32.pt", true);
            TorchScriptClassifier block = TorchScriptClassifier.of(model);
            NDArray probe = manager.randomUniform(0f, 1f, new Shape(4, 3, 32, 32));
            ParameterStore store = new ParameterStore(manager, false);
            float[] before = block.forward(store, new NDList(probe), false).head().toFloatArray();
            List<Attack> attacks =
                    List.of(
                            Attacks.fgsm(),
                            Attacks.pgd(3),
                            Attacks.cwInf().withSteps(3),
                            Attacks.apgdCe().withSteps(3),
                            Attacks.apgdDlr().withSteps(3),
                            Attacks.apgdT().withSteps(3).withTargetClasses(2));
            // every attacker runs on every example (the evaluator attacks only the survivors)
            // labelled with the model's own predictions, so that every example is attacked
            NDArray x = probe;
            NDArray y = block.forward(store, new NDList(x), false).head().argMax(1);
            for (Attack attack : attacks) {
                NDArray adversarial =
                        InputAttacks.bind(attack).generate(AttackTarget.of(block), x, y);
                assertThat(adversarial.sub(x).abs().max().getFloat())
                        .as(attack.name())
                        .isPositive()
                        .isLessThanOrEqualTo(8f / 255 + 1e-6f);
            }
            RobustnessReport report =
                    RobustnessEvaluator.builder()
                            .optAttacks(attacks)
                            .optSeed(0)
                            .optNoProgress()
                            .build()
                            .evaluate(block, SyntheticShapes.test(20, 1), 20, 0);
            assertThat(report.attacks()).hasSize(6);
            assertThat(block.forward(store, new NDList(probe), false).head().toFloatArray())
                    .containsExactly(before);
        }
    }

    @Nested
    class Awp {

        @Test
        void should_leave_statistics_exactly_and_weights_restored_after_perturb_and_restore() {
            Model model = load("small_res_cnn.pt", true);
            TorchScriptClassifier block = TorchScriptClassifier.of(model);
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            TestModels.sgd(0.01f, 0.9f, 5e-4f), WeightPerturbation.of(GAMMA));
            try (Trainer trainer = trainer(model, awp)) {
                float[] before = evalLogits(block);
                Map<String, float[]> weights = weights(block);
                NDArray x = x();
                try (AppliedPerturbation v = awp.perturb(trainer, Objectives.pgdAt(), x, y(), x)) {
                    assertThat(v.perturbedTensors()).isEqualTo(4);
                    assertThat(evalLogits(block)).isNotEqualTo(before);
                }
                // w is restored by the reference's (w + v) - v: equal up to rounding
                assertThat(evalLogits(block)).containsExactly(before, within(1e-6f));
                Map<String, float[]> after = weights(block);
                weights.forEach(
                        (name, values) ->
                                assertThat(after.get(name))
                                        .as(name)
                                        .containsExactly(values, within(1e-6f)));
            }
        }

        @Test
        void should_perturb_along_the_training_mode_gradient_of_the_model() {
            Model model = load("small_res_cnn.pt", true);
            TorchScriptClassifier block = TorchScriptClassifier.of(model);
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            TestModels.sgd(0.01f, 0.9f, 5e-4f), WeightPerturbation.of(GAMMA));
            try (Trainer trainer = trainer(model, awp)) {
                Map<String, float[]> w = weights(block);
                Map<String, float[]> perturbed;
                try (AppliedPerturbation v =
                        awp.perturb(trainer, Objectives.pgdAt(), x(), y(), x())) {
                    perturbed = weights(block);
                }
                // the closed form on the model itself (this forward updates its statistics)
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    collector.backward(
                            Losses.crossEntropy(TestModels.forward(trainer, x(), true), y()));
                }
                for (String name :
                        List.of(
                                "conv.weight",
                                "block.conv1.weight",
                                "block.conv2.weight",
                                "fc.weight")) {
                    NDArray weight = block.getParameters().get(name).getArray();
                    float[] g = weight.getGradient().toFloatArray();
                    double scale = GAMMA * norm(w.get(name)) / norm(g);
                    float[] moved = perturbed.get(name);
                    for (int i = 0; i < g.length; i++) {
                        assertThat((double) moved[i] - w.get(name)[i])
                                .as("%s[%d]", name, i)
                                .isCloseTo(
                                        scale * g[i], within(1e-6 + 1e-4 * Math.abs(scale * g[i])));
                    }
                }
                assertThat(weights(block).get("bn.weight")).containsExactly(w.get("bn.weight"));
            }
        }

        @Test
        void should_take_several_ascent_steps_on_the_proxy_within_the_radius() {
            Model model = load("small_res_cnn.pt", true);
            TorchScriptClassifier block = TorchScriptClassifier.of(model);
            WeightPerturbation threeSteps =
                    WeightPerturbation.builder()
                            .gamma(GAMMA)
                            .ascentSteps(3)
                            .ascentStepSize(0.5)
                            .build();
            AwpOptimizer awp = AwpOptimizer.wrap(TestModels.sgd(0.01f, 0.9f, 5e-4f), threeSteps);
            try (Trainer trainer = trainer(model, awp)) {
                float[] before = evalLogits(block);
                Map<String, float[]> w = weights(block);
                try (AppliedPerturbation v =
                        awp.perturb(trainer, Objectives.pgdAt(), x(), y(), x())) {
                    Map<String, float[]> moved = weights(block);
                    for (String name : List.of("conv.weight", "fc.weight")) {
                        float[] difference = new float[w.get(name).length];
                        for (int i = 0; i < difference.length; i++) {
                            difference[i] = moved.get(name)[i] - w.get(name)[i];
                        }
                        assertThat(norm(difference))
                                .as(name)
                                .isPositive()
                                .isLessThanOrEqualTo(GAMMA * norm(w.get(name)) * (1 + 1e-5));
                    }
                }
                // w is restored by the reference's (w + v) - v: equal up to rounding
                assertThat(evalLogits(block)).containsExactly(before, within(1e-6f));
            }
        }

        @Test
        void should_train_with_pgd_at_and_awp_through_awp_easy_train() {
            Model model = load("small_res_cnn.pt", true);
            TorchScriptClassifier block = TorchScriptClassifier.of(model);
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            TestModels.sgd(0.05f, 0.9f, 5e-4f), WeightPerturbation.of(GAMMA));
            try (Trainer trainer = trainer(model, awp)) {
                float[] before = evalLogits(block);
                Map<String, float[]> w = weights(block);
                for (var objective :
                        List.of(Objectives.pgdAt(), Objectives.trades(), Objectives.mart())) {
                    try (Batch batch = batch(trainer)) {
                        var result =
                                AwpEasyTrain.trainStep(
                                        trainer, awp, Attacks.pgd(3), objective, batch);
                        assertThat(result.loss()).isFinite();
                    }
                }
                assertThat(awp.hasAppliedPerturbation()).isFalse();
                assertThat(weights(block).get("fc.weight")).isNotEqualTo(w.get("fc.weight"));
                assertThat(evalLogits(block)).isNotEqualTo(before);
            }
        }

        private Batch batch(Trainer trainer) {
            NDManager batchManager = trainer.getManager().newSubManager();
            NDArray x = x();
            NDArray y = y();
            x.attach(batchManager);
            y.attach(batchManager);
            return new Batch(
                    batchManager,
                    new NDList(x),
                    new NDList(y),
                    2,
                    Batchifier.STACK,
                    Batchifier.STACK,
                    0,
                    1);
        }
    }

    @Nested
    class Diagnostics {

        @Test
        void should_compare_perturbations_without_touching_the_script() {
            Model model = load("small_res_cnn.pt", true);
            TorchScriptClassifier block = TorchScriptClassifier.of(model);
            try (Trainer trainer = trainer(model, TestModels.sgd(0.01f, 0f, 0f))) {
                float[] before = evalLogits(block);
                Map<String, float[]> weights = weights(block);
                PerturbationComparison comparison =
                        PerturbationComparison.measure(
                                trainer,
                                Objectives.pgdAt(),
                                Attacks.pgdTraining().withSteps(2),
                                x(),
                                y(),
                                0.05,
                                2,
                                0);
                assertThat(comparison.adversarialIncrease())
                        .isGreaterThan(comparison.randomIncrease());
                assertThat(evalLogits(block)).containsExactly(before);
                Map<String, float[]> after = weights(block);
                weights.forEach(
                        (name, values) ->
                                assertThat(after.get(name)).as(name).containsExactly(values));
            }
        }
    }

    @Nested
    class Files_ {

        @Test
        void should_restore_parameters_and_statistics_from_saved_parameters() throws Exception {
            Model model = load("small_res_cnn.pt", true);
            TorchScriptClassifier block = TorchScriptClassifier.of(model);
            float[] saved = evalLogits(block);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            block.saveParameters(new DataOutputStream(bytes));
            // a training-mode forward moves the statistics, a weight change the weights
            block.forward(new ParameterStore(manager, false), new NDList(x().mul(3)), true);
            block.getParameters().get("fc.weight").getArray().addi(0.5f);
            assertThat(evalLogits(block)).isNotEqualTo(saved);

            block.loadParameters(
                    model.getNDManager(),
                    new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(evalLogits(block)).containsExactly(saved);
            assertThat(block.getParameters().get("fc.weight").requiresGradient()).isTrue();
            assertThat(block.getParameters().get("fc.weight").getArray().hasGradient()).isTrue();
        }

        @Test
        void should_export_a_script_that_loads_with_the_same_logits() {
            TorchScriptClassifier block = classifier();
            block.forward(new ParameterStore(manager, false), new NDList(x().mul(2)), true);
            float[] logits = evalLogits(block);
            Path exported = directory.resolve("exported");
            try {
                Files.createDirectories(exported);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            block.exportTo(exported.resolve("model.pt"));

            Model reloaded = Model.newInstance("reloaded", "PyTorch");
            models.add(reloaded);
            try {
                reloaded.load(exported, "model.pt", Map.of("trainParam", "true"));
            } catch (IOException | MalformedModelException e) {
                throw new IllegalStateException(e);
            }
            assertThat(evalLogits(TorchScriptClassifier.of(reloaded))).containsExactly(logits);
        }
    }

    @Nested
    class Trainer_ {

        private AdversarialTraining spec() {
            return AdversarialTraining.builder()
                    .objective(Objectives.pgdAt())
                    .attack(Attacks.pgdTraining().withSteps(2))
                    .weightPerturbation(WeightPerturbation.of(0.01))
                    .epochs(2)
                    .batchSize(16)
                    .optimizer(OptimizerSpec.sgd(0.05, 0.9, 5e-4))
                    .schedule(Schedules.reference())
                    .evaluation(
                            EvaluationPlan.builder()
                                    .subsetSize(16)
                                    .trainSubsetSize(16)
                                    .attack(Attacks.pgd(2))
                                    .build())
                    .checkpoints(CheckpointPolicy.builder().build())
                    .seed(11)
                    .build();
        }

        private AdversarialTrainer.Builder trainer(Path output) {
            return AdversarialTrainer.builder(spec())
                    .setTrainData(SyntheticShapes.train(32, 3))
                    .setValidationData(SyntheticShapes.test(16, 3))
                    .optOutputDirectory(output)
                    .optNoProgress();
        }

        /** Weights by name, then eval-mode logits on fixed inputs (which see the statistics). */
        private Map<String, float[]> state(Model model) {
            TorchScriptClassifier block = (TorchScriptClassifier) model.getBlock();
            Map<String, float[]> state = weights(block);
            NDArray x = manager.randomUniform(0f, 1f, new Shape(4, 3, 32, 32), DataType.FLOAT32);
            ParameterStore store = new ParameterStore(manager, false);
            state.put(
                    "eval logits",
                    block.forward(store, new NDList(x), false).head().toFloatArray());
            return state;
        }

        @Test
        void should_resume_exactly_with_the_script_statistics() {
            Map<String, float[]> straight;
            Model first = load("res_cnn_32.pt", true);
            TorchScriptClassifier.of(first);
            trainer(directory.resolve("straight")).build().fit(first);
            manager.getEngine().setRandomSeed(5);
            straight = state(first);

            Model crashed = load("res_cnn_32.pt", true);
            TorchScriptClassifier.of(crashed);
            TrainingEventListener crash =
                    new TrainingEventListener() {
                        @Override
                        public void onEpochEnded(EpochEnded event) {
                            throw new IllegalStateException("simulated crash");
                        }
                    };
            AdversarialTrainer interrupted =
                    trainer(directory.resolve("interrupted")).addEventListeners(crash).build();
            assertThatThrownBy(() -> interrupted.fit(crashed)).hasMessage("simulated crash");

            Model resumed = load("res_cnn_32.pt", true);
            TorchScriptClassifier.of(resumed);
            trainer(directory.resolve("interrupted")).build().resume(resumed);
            manager.getEngine().setRandomSeed(5);
            Map<String, float[]> after = state(resumed);

            assertThat(after.keySet()).containsExactlyElementsOf(straight.keySet());
            straight.forEach(
                    (name, values) -> assertThat(after.get(name)).as(name).isEqualTo(values));
        }
    }

    static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }
}
