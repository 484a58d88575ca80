package dev.awp.djl.perturbation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.testing.TestModels;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.training.NonFiniteValueException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The AWP pass's two ways to its gradients (a detached leaf per perturbed weight, or the weight's
 * own gradient array for a block that reads the weight without the parameter store) and the check
 * that proves {@code v} finite from two scalars per tensor instead of a pass over {@code v}.
 */
class ExactPassTest {

    private static final double GAMMA = 0.01;

    /** A linear layer (no bias) that reads its weight itself, bypassing the parameter store. */
    static final class DirectLinear extends AbstractBlock {
        private final int units;
        private final Parameter weight;

        DirectLinear(int units) {
            this.units = units;
            weight =
                    addParameter(
                            Parameter.builder()
                                    .setName("weight")
                                    .setType(Parameter.Type.WEIGHT)
                                    .build());
            setInitializer(new NormalInitializer(0.5f), Parameter.Type.WEIGHT);
        }

        @Override
        public void prepare(Shape[] inputShapes) {
            weight.setShape(new Shape(units, inputShapes[0].get(1)));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            return new NDList(inputs.head().matMul(weight.getArray().transpose()));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), units)};
        }
    }

    /**
     * The first layer reads its weight through the store (a leaf), the second bypasses it: both get
     * {@code v = γ‖w‖ g/‖g‖} of the same gradient, and the bypassing weight's gradient array, which
     * the pass had to fill, is zeroed again.
     */
    @Test
    void should_compute_v_alike_through_a_leaf_and_through_a_weights_own_gradient() {
        Engine.getInstance().setRandomSeed(7);
        SequentialBlock block =
                new SequentialBlock()
                        .add(Linear.builder().setUnits(5).optBias(false).build())
                        .add(new DirectLinear(3));
        try (Model model = TestModels.model("direct", block, DataType.FLOAT32)) {
            AwpOptimizer awp =
                    AwpOptimizer.wrap(TestModels.sgd(0.1f, 0, 0), WeightPerturbation.of(GAMMA));
            try (Trainer trainer = TestModels.trainer(model, awp, new Shape(6, 4))) {
                NDManager manager = trainer.getManager();
                NDArray x = manager.randomUniform(0f, 1f, new Shape(6, 4));
                NDArray y = manager.create(new long[] {0, 1, 2, 0, 1, 2});
                NDArray xAdv = x.add(0.01f);
                List<NDArray> weights =
                        List.of(
                                TestModels.parameter(block, "01Linear_weight"),
                                TestModels.parameter(block, "02DirectLinear_weight"));
                // the expected gradients, from a backward of the same loss
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    collector.backward(
                            Losses.crossEntropy(TestModels.forward(trainer, xAdv, true), y));
                }
                double[][] expected = new double[2][];
                double[][] w = new double[2][];
                for (int i = 0; i < 2; i++) {
                    w[i] = values(weights.get(i));
                    try (NDArray g = weights.get(i).getGradient()) {
                        double[] gradient = values(g);
                        double scale = GAMMA * norm(w[i]) / (norm(gradient) + 1e-20);
                        expected[i] = new double[gradient.length];
                        for (int j = 0; j < gradient.length; j++) {
                            expected[i][j] = w[i][j] + scale * gradient[j];
                        }
                        g.subi(g);
                    }
                }
                try (AppliedPerturbation v = awp.perturb(trainer, Objectives.pgdAt(), x, y, xAdv)) {
                    for (int i = 0; i < 2; i++) {
                        double[] perturbed = values(weights.get(i));
                        for (int j = 0; j < perturbed.length; j++) {
                            assertThat(perturbed[j])
                                    .as("w + v of weight %s [%s]", i, j)
                                    .isCloseTo(expected[i][j], within(1e-6));
                        }
                        assertThat(perturbed).as("weight %s moved", i).isNotEqualTo(w[i]);
                        try (NDArray g = weights.get(i).getGradient()) {
                            assertThat(g.abs().max().getFloat()).as("gradient %s", i).isZero();
                        }
                    }
                }
            }
        }
    }

    /**
     * Whatever the gradient holds, a {@code v} the check lets through is finite, and a {@code v}
     * that is not finite is rejected, naming the tensor.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "ordinary",
                "+infinity",
                "-infinity",
                "NaN",
                "huge",
                "zero",
                "subnormal",
                "huge weight",
                "infinite weight"
            })
    void should_let_through_only_a_finite_v(String kind) {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] weightValues = {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f};
            float[] gradientValues = {0.1f, -0.2f, 0.3f, 0f, 0.05f, -0.4f};
            switch (kind) {
                case "+infinity" -> gradientValues[2] = Float.POSITIVE_INFINITY;
                case "-infinity" -> gradientValues[0] = Float.NEGATIVE_INFINITY;
                case "NaN" -> gradientValues[5] = Float.NaN;
                case "huge" -> java.util.Arrays.fill(gradientValues, 3e38f);
                case "zero" -> java.util.Arrays.fill(gradientValues, 0f);
                case "subnormal" -> java.util.Arrays.fill(gradientValues, Float.MIN_VALUE);
                case "huge weight" -> java.util.Arrays.fill(weightValues, 3e38f);
                case "infinite weight" -> weightValues[1] = Float.POSITIVE_INFINITY;
                default -> {}
            }
            Parameter parameter =
                    Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            parameter.setArray(manager.create(weightValues, new Shape(2, 3)));
            NDArray v = manager.zeros(new Shape(2, 3));
            PerturbedTensor tensor = new PerturbedTensor("layer_weight", parameter, v);
            NDManager scope = manager.newSubManager();
            tensor.startAscent(GAMMA, 1, scope);
            tensor.ascend(manager.create(gradientValues, new Shape(2, 3)), true, 1, 1.0);
            boolean finite = true;
            for (float value : tensor.v().toFloatArray()) {
                finite &= Float.isFinite(value);
            }
            Throwable thrown =
                    catchThrowable(
                            () -> ExactPass.checkFinite(manager.create(0.5f), List.of(tensor)));
            if (!finite) {
                assertThat(thrown)
                        .as("a non-finite v is rejected")
                        .isInstanceOf(NonFiniteValueException.class)
                        .hasMessageContaining("v of layer_weight");
            }
            if (thrown == null) {
                assertThat(finite).as("a v let through is finite").isTrue();
            }
            if (kind.equals("ordinary") || kind.equals("zero") || kind.equals("subnormal")) {
                assertThat(thrown).as("an ordinary v passes").isNull();
            }
            if (kind.contains("infinity") || kind.equals("NaN") || kind.equals("infinite weight")) {
                assertThat(thrown).as("a non-finite input is rejected").isNotNull();
            }
            scope.close();
        }
    }

    private static double[] values(NDArray array) {
        return array.toType(DataType.FLOAT64, true).toDoubleArray();
    }

    private static double norm(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value * value;
        }
        return Math.sqrt(sum);
    }
}
