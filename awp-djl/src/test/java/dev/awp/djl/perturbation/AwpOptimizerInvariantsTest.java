package dev.awp.djl.perturbation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import dev.awp.attack.Attacks;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.testing.TestModels;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.TensorSelection;
import dev.awp.perturbation.WeightPerturbation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The invariants of awp-spec.md §8, on an MLP and on a conv net with BatchNorm. */
class AwpOptimizerInvariantsTest {

    enum Net {
        MLP(TestModels::mlp, new Shape(8, 3), List.of("01Linear_weight", "03Linear_weight")),
        CONV_BN(
                TestModels::convBn,
                new Shape(8, 3, 6, 6),
                List.of("01Conv2d_weight", "06Linear_weight"));

        final Supplier<Block> block;
        final Shape input;
        final List<String> perturbed;

        Net(Supplier<Block> block, Shape input, List<String> perturbed) {
            this.block = block;
            this.input = input;
            this.perturbed = perturbed;
        }
    }

    /** A model, its trainer and a batch with adversarial inputs, seeded. */
    static final class Setup implements AutoCloseable {
        final Model model;
        final Trainer trainer;
        final AwpOptimizer awp;
        final NDArray x;
        final NDArray y;
        final NDArray xAdv;

        Setup(Net net, DataType type, Optimizer base, WeightPerturbation perturbation) {
            Engine.getInstance().setRandomSeed(42);
            awp = AwpOptimizer.wrap(base, perturbation);
            model = TestModels.model(net.name(), net.block.get(), type);
            trainer = TestModels.trainer(model, awp, net.input);
            NDManager manager = trainer.getManager();
            x = manager.randomUniform(0f, 1f, net.input).toType(type, false);
            y = manager.randomInteger(0, 3, new Shape(net.input.get(0)), DataType.INT64);
            xAdv = InputAttacks.bind(Attacks.pgd(3)).generate(AttackTarget.of(trainer), x, y);
            // a few steps so that BatchNorm statistics and weights are not at their init
            for (int i = 0; i < 2; i++) {
                trainStep();
            }
        }

        Block block() {
            return model.getBlock();
        }

        double loss(NDArray input) {
            try (NDArray loss = Losses.crossEntropy(TestModels.forward(trainer, input, true), y)) {
                return loss.toType(DataType.FLOAT64, false).getDouble();
            }
        }

        void trainStep() {
            try (GradientCollector collector = trainer.newGradientCollector()) {
                collector.backward(Losses.crossEntropy(TestModels.forward(trainer, xAdv, true), y));
            }
            TestModels.step(trainer, awp);
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    static double[] values(NDArray array) {
        return array.toType(DataType.FLOAT64, true).toDoubleArray();
    }

    /** The trainable parameters' values by name (running statistics excluded). */
    static Map<String, double[]> weightsByName(Block block) {
        Map<String, double[]> out = new HashMap<>();
        for (Pair<String, Parameter> pair : block.getParameters()) {
            if (pair.getValue().requiresGradient()) {
                out.put(pair.getKey(), values(pair.getValue().getArray()));
            }
        }
        return out;
    }

    static Map<String, double[]> valuesByName(Block block) {
        Map<String, double[]> out = new HashMap<>();
        for (Pair<String, Parameter> pair : block.getParameters()) {
            out.put(pair.getKey(), values(pair.getValue().getArray()));
        }
        return out;
    }

    static double norm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] diff(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    /** float32 {@code w + v − v}: at most one rounding per operation, so two ulps of |w|(1+γ). */
    static void assertRestored(Map<String, double[]> before, Map<String, double[]> after) {
        for (String name : before.keySet()) {
            double[] w = before.get(name);
            double[] restored = after.get(name);
            for (int i = 0; i < w.length; i++) {
                double tolerance = 2.0 * Math.ulp((float) (Math.abs(w[i]) * 1.02));
                assertThat(restored[i]).as(name + "[" + i + "]").isCloseTo(w[i], within(tolerance));
            }
        }
    }

    static WeightPerturbation gamma(double gamma) {
        return WeightPerturbation.of(gamma);
    }

    @Nested
    class Perturbation {

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_perturb_exactly_the_conv_and_linear_weights(Net net) {
            try (Setup s =
                    new Setup(net, DataType.FLOAT32, TestModels.sgd(0.1f, 0.9f, 0), gamma(0.01))) {
                List<String> names =
                        PerturbedTensors.select(s.block(), TensorSelection.layerWeights()).stream()
                                .map(Pair::getKey)
                                .collect(Collectors.toList());
                assertThat(names).containsExactlyElementsOf(net.perturbed);
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    assertThat(v.perturbedTensors()).isEqualTo(net.perturbed.size());
                }
            }
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_scale_each_v_to_gamma_times_the_weight_norm(Net net) {
            try (Setup s =
                    new Setup(net, DataType.FLOAT64, TestModels.sgd(0.1f, 0.9f, 0), gamma(0.01))) {
                Map<String, double[]> before = valuesByName(s.block());
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    Map<String, double[]> after = valuesByName(s.block());
                    for (String name : net.perturbed) {
                        double ratio =
                                norm(diff(after.get(name), before.get(name)))
                                        / norm(before.get(name));
                        assertThat(ratio).as(name).isCloseTo(0.01, within(1e-12));
                    }
                }
            }
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_point_v_along_the_ascent_direction_of_the_loss(Net net) {
            try (Setup s =
                    new Setup(net, DataType.FLOAT64, TestModels.sgd(0.1f, 0.9f, 0), gamma(0.01))) {
                Map<String, double[]> gradients = new HashMap<>();
                try (GradientCollector collector = s.trainer.newGradientCollector()) {
                    collector.backward(
                            Losses.crossEntropy(TestModels.forward(s.trainer, s.xAdv, true), s.y));
                }
                for (String name : net.perturbed) {
                    try (NDArray g = TestModels.parameter(s.block(), name).getGradient()) {
                        gradients.put(name, values(g));
                        g.subi(g);
                    }
                }
                Map<String, double[]> before = valuesByName(s.block());
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    Map<String, double[]> after = valuesByName(s.block());
                    for (String name : net.perturbed) {
                        double[] vl = diff(after.get(name), before.get(name));
                        double[] g = gradients.get(name);
                        double cosine = dot(vl, g) / (norm(vl) * norm(g));
                        assertThat(cosine).as(name).isCloseTo(1.0, within(1e-9));
                    }
                }
            }
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_leave_biases_batchnorm_and_running_statistics_untouched(Net net) {
            try (Setup s =
                    new Setup(net, DataType.FLOAT32, TestModels.sgd(0.1f, 0.9f, 0), gamma(0.01))) {
                Map<String, double[]> before = valuesByName(s.block());
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    Map<String, double[]> during = valuesByName(s.block());
                    for (String name : before.keySet()) {
                        if (!net.perturbed.contains(name)) {
                            assertThat(during.get(name)).as(name).containsExactly(before.get(name));
                        }
                    }
                }
                Map<String, double[]> after = valuesByName(s.block());
                for (String name : before.keySet()) {
                    if (!net.perturbed.contains(name)) {
                        assertThat(after.get(name)).as(name).containsExactly(before.get(name));
                    }
                }
            }
        }

        @Test
        void should_not_change_running_statistics_while_computing_v() {
            try (Setup s =
                    new Setup(
                            Net.CONV_BN,
                            DataType.FLOAT32,
                            TestModels.sgd(0.1f, 0.9f, 0),
                            gamma(0.01))) {
                List<String> statistics = new ArrayList<>();
                for (Pair<String, Parameter> pair : s.block().getParameters()) {
                    Parameter.Type type = pair.getValue().getType();
                    if (type == Parameter.Type.RUNNING_MEAN || type == Parameter.Type.RUNNING_VAR) {
                        statistics.add(pair.getKey());
                    }
                }
                assertThat(statistics).hasSize(2);
                Map<String, double[]> before = valuesByName(s.block());
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    Map<String, double[]> during = valuesByName(s.block());
                    for (String name : statistics) {
                        assertThat(during.get(name)).as(name).containsExactly(before.get(name));
                    }
                    // and the training forward at w + v does update them, as in the reference
                    s.trainStep();
                    assertThat(values(TestModels.parameter(s.block(), statistics.get(0))))
                            .isNotEqualTo(before.get(statistics.get(0)));
                }
            }
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_leave_the_models_gradient_arrays_as_they_were(Net net) {
            try (Setup s =
                    new Setup(net, DataType.FLOAT32, TestModels.sgd(0.1f, 0.9f, 0), gamma(0.01))) {
                // gradients the pass must not touch: a backward on another loss
                try (GradientCollector collector = s.trainer.newGradientCollector()) {
                    collector.backward(
                            TestModels.forward(s.trainer, s.x, true).square().sum().mul(0.5));
                }
                Map<String, double[]> before = new HashMap<>();
                for (Pair<String, Parameter> pair : s.block().getParameters()) {
                    if (pair.getValue().requiresGradient()) {
                        try (NDArray g = pair.getValue().getArray().getGradient()) {
                            before.put(pair.getKey(), values(g));
                        }
                    }
                }
                assertThat(before.get(net.perturbed.get(0)))
                        .as("a gradient to keep")
                        .isNotEqualTo(new double[before.get(net.perturbed.get(0)).length]);
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    for (Pair<String, Parameter> pair : s.block().getParameters()) {
                        if (pair.getValue().requiresGradient()) {
                            try (NDArray g = pair.getValue().getArray().getGradient()) {
                                assertThat(values(g))
                                        .as(pair.getKey())
                                        .containsExactly(before.get(pair.getKey()));
                            }
                        }
                    }
                }
            }
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_raise_the_loss_by_the_first_order_term(Net net) {
            double gamma = 1e-3;
            try (Setup s =
                    new Setup(net, DataType.FLOAT64, TestModels.sgd(0.1f, 0.9f, 0), gamma(gamma))) {
                double lossAtW = s.loss(s.xAdv);
                double firstOrder = 0;
                try (GradientCollector collector = s.trainer.newGradientCollector()) {
                    collector.backward(
                            Losses.crossEntropy(TestModels.forward(s.trainer, s.xAdv, true), s.y));
                }
                for (String name : net.perturbed) {
                    NDArray w = TestModels.parameter(s.block(), name);
                    try (NDArray g = w.getGradient()) {
                        firstOrder += gamma * norm(values(w)) * norm(values(g));
                        g.subi(g);
                    }
                }
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    double increase = s.loss(s.xAdv) - lossAtW;
                    assertThat(increase).isPositive();
                    assertThat(increase / firstOrder).isCloseTo(1.0, within(0.05));
                }
            }
        }
    }

    @Nested
    class AscentSteps {

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_stay_in_the_ball_and_ascend_at_least_as_far_with_more_steps(Net net) {
            double gamma = 0.01;
            double lossOneStep;
            try (Setup s =
                    new Setup(net, DataType.FLOAT64, TestModels.sgd(0.1f, 0.9f, 0), gamma(gamma))) {
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    lossOneStep = s.loss(s.xAdv);
                }
            }
            WeightPerturbation threeSteps =
                    WeightPerturbation.builder()
                            .gamma(gamma)
                            .ascentSteps(3)
                            .ascentStepSize(0.5)
                            .build();
            try (Setup s =
                    new Setup(net, DataType.FLOAT64, TestModels.sgd(0.1f, 0.9f, 0), threeSteps)) {
                Map<String, double[]> before = weightsByName(s.block());
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    Map<String, double[]> during = weightsByName(s.block());
                    for (String name : net.perturbed) {
                        double ratio =
                                norm(diff(during.get(name), before.get(name)))
                                        / norm(before.get(name));
                        assertThat(ratio).as(name).isLessThanOrEqualTo(gamma * (1 + 1e-9));
                        assertThat(ratio).as(name).isGreaterThan(gamma / 2);
                    }
                    // the same batch and BN mode: projected ascent reaches at least the one-step
                    // loss
                    assertThat(s.loss(s.xAdv)).isGreaterThanOrEqualTo(lossOneStep - 1e-9);
                }
                Map<String, double[]> after = weightsByName(s.block());
                for (String name : net.perturbed) {
                    double[] w = before.get(name);
                    for (int i = 0; i < w.length; i++) {
                        assertThat(after.get(name)[i]).isCloseTo(w[i], within(1e-15));
                    }
                }
            }
        }
    }

    @Nested
    class Restore {

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_return_to_w_within_ulps_with_zero_learning_rate(Net net) {
            try (Setup s =
                    new Setup(net, DataType.FLOAT32, TestModels.sgd(0f, 0.9f, 0f), gamma(0.01))) {
                Map<String, double[]> before = weightsByName(s.block());
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    s.trainStep();
                }
                assertRestored(before, weightsByName(s.block()));
            }
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_restore_weights_when_the_forward_throws(Net net) {
            AtomicBoolean fail = new AtomicBoolean();
            Engine.getInstance().setRandomSeed(3);
            AwpOptimizer awp = AwpOptimizer.wrap(TestModels.sgd(0.1f, 0.9f, 5e-4f), gamma(0.01));
            try (Model model =
                            TestModels.model(
                                    "failing",
                                    TestModels.failing(net.block.get(), fail),
                                    DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, awp, net.input)) {
                NDManager manager = trainer.getManager();
                NDArray x = manager.randomUniform(0f, 1f, net.input);
                NDArray y =
                        manager.randomInteger(0, 3, new Shape(net.input.get(0)), DataType.INT64);
                Map<String, double[]> before = weightsByName(model.getBlock());
                assertThatThrownBy(
                                () -> {
                                    try (AppliedPerturbation v =
                                            awp.perturb(trainer, Objectives.pgdAt(), x, y, x)) {
                                        fail.set(true);
                                        TestModels.forward(trainer, x, true);
                                    }
                                })
                        .hasMessage("injected failure");
                assertRestored(before, weightsByName(model.getBlock()));
            }
        }

        @Test
        void should_restore_weights_when_the_wrapped_optimizer_throws() {
            Optimizer throwing =
                    new Optimizer(
                            Optimizer.sgd()
                                    .setLearningRateTracker(
                                            ai.djl.training.tracker.Tracker.fixed(0.1f))) {
                        @Override
                        public void update(String parameterId, NDArray weight, NDArray grad) {
                            throw new IllegalStateException("optimizer failure");
                        }
                    };
            Engine.getInstance().setRandomSeed(5);
            AwpOptimizer awp = AwpOptimizer.wrap(throwing, gamma(0.01));
            try (Model model = TestModels.model("mlp", TestModels.mlp(), DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, awp, Net.MLP.input)) {
                NDManager manager = trainer.getManager();
                NDArray x = manager.randomUniform(0f, 1f, Net.MLP.input);
                NDArray y = manager.randomInteger(0, 3, new Shape(8), DataType.INT64);
                Map<String, double[]> before = weightsByName(model.getBlock());
                assertThatThrownBy(
                                () -> {
                                    try (AppliedPerturbation v =
                                            awp.perturb(trainer, Objectives.pgdAt(), x, y, x)) {
                                        try (GradientCollector c = trainer.newGradientCollector()) {
                                            c.backward(
                                                    Losses.crossEntropy(
                                                            TestModels.forward(trainer, x, true),
                                                            y));
                                        }
                                        trainer.step();
                                    }
                                })
                        .hasMessage("optimizer failure");
                assertRestored(before, weightsByName(model.getBlock()));
            }
        }
    }

    @Nested
    class Inactive {

        /** Three steps of PGD-AT from the same seed and initialization; returns final weights. */
        Map<String, double[]> train(Net net, Optimizer optimizer, AwpOptimizer awp) {
            Engine.getInstance().setRandomSeed(11);
            try (Model model = TestModels.model("m", net.block.get(), DataType.FLOAT32);
                    Trainer trainer =
                            TestModels.trainer(model, awp == null ? optimizer : awp, net.input)) {
                NDManager manager = trainer.getManager();
                for (int step = 0; step < 3; step++) {
                    NDArray x = manager.randomUniform(0f, 1f, net.input);
                    NDArray y =
                            manager.randomInteger(
                                    0, 3, new Shape(net.input.get(0)), DataType.INT64);
                    try (Batch batch =
                            new Batch(
                                    manager.newSubManager(),
                                    new ai.djl.ndarray.NDList(x),
                                    new ai.djl.ndarray.NDList(y),
                                    1,
                                    null,
                                    null,
                                    step,
                                    3)) {
                        AwpEasyTrain.trainStep(
                                trainer, awp, Attacks.pgd(2), Objectives.pgdAt(), batch);
                    }
                }
                return valuesByName(model.getBlock());
            }
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(Net.class)
        void should_be_bit_identical_to_the_base_method_with_gamma_zero_or_in_warm_up(Net net) {
            Map<String, double[]> plain = train(net, TestModels.sgd(0.1f, 0.9f, 5e-4f), null);
            Map<String, double[]> gammaZero =
                    train(
                            net,
                            null,
                            AwpOptimizer.wrap(
                                    TestModels.sgd(0.1f, 0.9f, 5e-4f), WeightPerturbation.none()));
            AwpOptimizer warmUp =
                    AwpOptimizer.wrap(
                            TestModels.sgd(0.1f, 0.9f, 5e-4f),
                            WeightPerturbation.builder().gamma(0.01).warmupEpochs(1).build());
            warmUp.setEpoch(0);
            Map<String, double[]> inWarmUp = train(net, null, warmUp);
            AwpOptimizer active = AwpOptimizer.wrap(TestModels.sgd(0.1f, 0.9f, 5e-4f), gamma(0.01));
            Map<String, double[]> withAwp = train(net, null, active);
            for (String name : plain.keySet()) {
                assertThat(gammaZero.get(name)).as(name).containsExactly(plain.get(name));
                assertThat(inWarmUp.get(name)).as(name).containsExactly(plain.get(name));
            }
            // and the comparison can fail: with AWP active the trajectory differs
            assertThat(withAwp.get(net.perturbed.get(0)))
                    .isNotEqualTo(plain.get(net.perturbed.get(0)));
        }
    }

    @Nested
    class Errors {

        @Test
        void should_reject_a_selection_that_matches_no_tensor() {
            try (Setup s =
                    new Setup(
                            Net.MLP,
                            DataType.FLOAT32,
                            TestModels.sgd(0.1f, 0.9f, 0),
                            WeightPerturbation.none())) {
                AwpOptimizer awp =
                        AwpOptimizer.wrap(
                                TestModels.sgd(0.1f, 0.9f, 0),
                                WeightPerturbation.builder()
                                        .gamma(0.01)
                                        .tensors(
                                                TensorSelection.builder()
                                                        .include("nothing")
                                                        .build())
                                        .build());
                assertThatThrownBy(
                                () -> awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("no tensor to perturb")
                        .hasMessageContaining("SequentialBlock");
            }
        }

        @Test
        void should_reject_perturbing_twice_without_closing() {
            try (Setup s =
                    new Setup(
                            Net.MLP,
                            DataType.FLOAT32,
                            TestModels.sgd(0.1f, 0.9f, 0),
                            gamma(0.01))) {
                try (AppliedPerturbation v =
                        s.awp.perturb(s.trainer, Objectives.pgdAt(), s.x, s.y, s.xAdv)) {
                    assertThatThrownBy(
                                    () ->
                                            s.awp.perturb(
                                                    s.trainer,
                                                    Objectives.pgdAt(),
                                                    s.x,
                                                    s.y,
                                                    s.xAdv))
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("still applied");
                }
            }
        }

        @Test
        void should_reject_a_trainer_on_several_devices() {
            AwpOptimizer awp = AwpOptimizer.wrap(TestModels.sgd(0.1f, 0.9f, 0), gamma(0.01));
            try (Model model = TestModels.model("mlp", TestModels.mlp(), DataType.FLOAT32);
                    Trainer trainer =
                            new Trainer(
                                    model,
                                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                            .optOptimizer(awp)) {
                                // no machine here has two devices: report a second one
                                @Override
                                public Device[] getDevices() {
                                    return new Device[] {Device.cpu(), Device.gpu(1)};
                                }
                            }) {
                trainer.initialize(new Shape(8, 3));
                NDArray x = trainer.getManager().ones(new Shape(8, 3));
                NDArray y = trainer.getManager().zeros(new Shape(8), DataType.INT64);
                assertThatThrownBy(() -> awp.perturb(trainer, Objectives.pgdAt(), x, y, x))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("one device");
            }
        }

        @Test
        void should_reject_wrapping_twice() {
            AwpOptimizer awp = AwpOptimizer.wrap(TestModels.sgd(0.1f, 0.9f, 0), gamma(0.01));
            assertThatThrownBy(() -> AwpOptimizer.wrap(awp, gamma(0.01)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("base must not be an AwpOptimizer");
        }
    }
}
