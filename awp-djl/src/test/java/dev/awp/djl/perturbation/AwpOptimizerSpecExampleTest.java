package dev.awp.djl.perturbation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.testing.TestModels;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.StepOrder;
import dev.awp.perturbation.WeightPerturbation;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The worked example of awp-spec.md §9: a 3-4-3 MLP, mean CE, γ = 0.01, one AT-AWP step with SGD
 * (lr 0.1, momentum 0.9, wd 5e-4) taken at w + v, then restore. Golden values are the spec's.
 */
class AwpOptimizerSpecExampleTest {

    static final double[] X = {0.1, 0.2, 0.3, 0.5, -0.4, 0.2, -0.3, 0.8, 0.1, 0.9, 0.1, -0.6};
    static final long[] Y = {0, 2, 1, 2};
    static final double[] W1 = {0.2, -0.1, 0.4, 0.3, 0.5, -0.2, -0.4, 0.1, 0.3, 0.1, 0.2, 0.1};
    static final double[] B1 = {0.01, -0.02, 0.03, 0};
    static final double[] W2 = {0.3, -0.2, 0.1, 0.4, -0.1, 0.2, 0.5, -0.3, 0.2, 0.1, -0.4, 0.2};
    static final double[] B2 = {0, 0.1, -0.1};

    static final double L_W = 1.0829103184;
    static final double L_WV = 1.0849593976;
    static final double[] V_W1 = {
        -0.001020472, -0.000134163, -0.001290833, 0.000443118, -0.001644893, 0.001672784,
        0.002188099, -0.005844385, -0.000736119, -0.005035472, 0.004190037, 0.000418656
    };
    static final double[] V_W2 = {
        -0.000151565, 0.004882821, 0.000505932, 0.000221996, 0.003395994, 0.000495369,
        -0.003174007, -0.000942515, -0.003244429, -0.005378190, 0.002668075, 0.000720520
    };
    static final double[] W1_NEW = {
        0.201258765, -0.099792014, 0.401618505, 0.299300750, 0.502112094, -0.202021482,
        -0.402776539, 0.107473905, 0.300932514, 0.106503245, 0.194570315, 0.099437494
    };
    static final double[] W2_NEW = {
        0.300124883, -0.204558435, 0.099537748, 0.399768133, -0.103169216, 0.199518372,
        0.502893279, -0.298983701, 0.203024332, 0.105035063, -0.402441026, 0.199200568
    };
    static final double[] B2_NEW = {-0.008045867, 0.087544422, -0.079498554};

    static final float LR = 0.1f;
    static final float WD = 5e-4f;

    /**
     * The spec prints 9–10 decimals (rounding error ≤ 5e-10); float64 must agree to that. float32
     * carries ~1e-7 relative rounding through the step; the spec states ~1e-7 absolute.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({
        "FLOAT64, UPDATE_THEN_RESTORE, 1e-9",
        "FLOAT32, UPDATE_THEN_RESTORE, 3e-7",
        "FLOAT64, RESTORE_THEN_UPDATE, 1e-9",
        "FLOAT32, RESTORE_THEN_UPDATE, 3e-7"
    })
    void should_reproduce_the_worked_example(DataType type, StepOrder order, double tolerance) {
        AwpOptimizer awp =
                AwpOptimizer.wrap(
                        TestModels.sgd(LR, 0.9f, WD),
                        WeightPerturbation.builder().gamma(0.01).stepOrder(order).build());
        try (Model model = TestModels.model("mlp", TestModels.mlp(), type);
                Trainer trainer = TestModels.trainer(model, awp, new Shape(4, 3))) {
            Block block = model.getBlock();
            List<String> names = block.getParameters().keys();
            TestModels.set(block, names.get(0), W1);
            TestModels.set(block, names.get(1), B1);
            TestModels.set(block, names.get(2), W2);
            TestModels.set(block, names.get(3), B2);
            NDManager manager = trainer.getManager();
            NDArray x = manager.create(X, new Shape(4, 3)).toType(type, false);
            NDArray y = manager.create(Y);

            assertThat(loss(trainer, x, y)).isCloseTo(L_W, within(tolerance));

            double[] b1 = values(block, names.get(1));
            double[] b2 = values(block, names.get(3));
            double[] vW1;
            double[] vW2;
            try (AppliedPerturbation v = awp.perturb(trainer, Objectives.pgdAt(), x, y, x)) {
                assertThat(v.perturbedTensors()).isEqualTo(2);
                vW1 = minus(values(block, names.get(0)), W1);
                vW2 = minus(values(block, names.get(2)), W2);
                assertClose(vW1, V_W1, tolerance);
                assertClose(vW2, V_W2, tolerance);
                assertThat(values(block, names.get(1))).containsExactly(b1);
                assertThat(values(block, names.get(3))).containsExactly(b2);
                assertThat(loss(trainer, x, y)).isCloseTo(L_WV, within(tolerance));

                try (GradientCollector collector = trainer.newGradientCollector()) {
                    collector.backward(
                            Losses.crossEntropy(TestModels.forward(trainer, x, true), y));
                }
                TestModels.step(trainer, awp);
            }

            // SAM order: w − lr(g + wd·w) instead of (w+v) − lr(g + wd(w+v)) − v: + lr·wd·v
            double samShift = order == StepOrder.RESTORE_THEN_UPDATE ? LR * WD : 0;
            assertClose(values(block, names.get(0)), plus(W1_NEW, vW1, samShift), tolerance);
            assertClose(values(block, names.get(2)), plus(W2_NEW, vW2, samShift), tolerance);
            assertClose(values(block, names.get(3)), B2_NEW, tolerance);
        }
    }

    private static double loss(Trainer trainer, NDArray x, NDArray y) {
        try (NDArray loss = Losses.crossEntropy(TestModels.forward(trainer, x, true), y)) {
            return loss.toType(DataType.FLOAT64, false).getDouble();
        }
    }

    static double[] values(Block block, String name) {
        return TestModels.parameter(block, name).toType(DataType.FLOAT64, true).toDoubleArray();
    }

    static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    static double[] plus(double[] a, double[] b, double scale) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + scale * b[i];
        }
        return out;
    }

    static void assertClose(double[] actual, double[] expected, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(tolerance));
        }
    }
}
