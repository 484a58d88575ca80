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
import dev.awp.djl.testing.Fixtures;
import dev.awp.djl.testing.TestModels;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One AT-AWP step on a conv net with BatchNorm against PyTorch running the reference procedure
 * (proxy model copy, proxy SGD step, weight difference): {@code conv_bn_step.json}, written by
 * {@code src/test/python/make_fixtures.py}. Checks v, the losses at w and w + v, every parameter
 * after the step, and that the running statistics moved exactly once (by the update's forward).
 */
class AwpOptimizerReferenceStepTest {

    /** DJL parameter name → fixture name. */
    static final Map<String, String> NAMES = TestModels.CONV_BN_FIXTURE_NAMES;

    /**
     * float64 throughout; DJL takes lr, momentum and weight decay as floats (0.1f differs from 0.1
     * by 1.5e-9 relative), which moves the updated weights by ~1e-11.
     */
    static final double TOLERANCE = 1e-9;

    @Test
    void should_match_the_reference_step_with_batchnorm() {
        Fixtures.Node fixture = Fixtures.load("conv_bn_step.json");
        double gamma = fixture.number("gamma");
        AwpOptimizer awp =
                AwpOptimizer.wrap(TestModels.sgd(0.1f, 0.9f, 5e-4f), WeightPerturbation.of(gamma));
        try (Model model = TestModels.model("convbn", TestModels.convBn(), DataType.FLOAT64);
                Trainer trainer = TestModels.trainer(model, awp, new Shape(4, 3, 6, 6))) {
            Block block = model.getBlock();
            NDManager manager = trainer.getManager();
            Fixtures.Node initial = fixture.node("initial");
            NAMES.forEach((djl, ref) -> TestModels.set(block, djl, initial.doubles(ref)));
            NDArray x = fixture.array(manager, "x", DataType.FLOAT64);
            NDArray y = fixture.array(manager, "y", DataType.INT64);
            NDArray xAdv = fixture.array(manager, "x_adv", DataType.FLOAT64);

            // L(w) in training mode, then put back the statistics that forward moved
            double lossAtW;
            try (NDArray loss = Losses.crossEntropy(TestModels.forward(trainer, xAdv, true), y)) {
                lossAtW = loss.getDouble();
            }
            TestModels.set(block, "02BatchNorm_runningMean", initial.doubles("bn_running_mean"));
            TestModels.set(block, "02BatchNorm_runningVar", initial.doubles("bn_running_var"));
            assertThat(lossAtW).isCloseTo(fixture.number("loss_w"), within(1e-12));

            double lossAtWPlusV;
            try (AppliedPerturbation v = awp.perturb(trainer, Objectives.pgdAt(), x, y, xAdv)) {
                for (String name : new String[] {"conv_weight", "fc_weight"}) {
                    String djl = djlName(name);
                    double[] perturbed = values(block, djl);
                    double[] w = initial.doubles(name);
                    double[] expected = fixture.node("v").doubles(name);
                    for (int i = 0; i < w.length; i++) {
                        assertThat(perturbed[i] - w[i])
                                .as("v %s[%d]", name, i)
                                .isCloseTo(expected[i], within(1e-12));
                    }
                }
                // computing v left the running statistics alone
                assertThat(values(block, "02BatchNorm_runningMean"))
                        .containsExactly(initial.doubles("bn_running_mean"));
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray loss = Losses.crossEntropy(TestModels.forward(trainer, xAdv, true), y);
                    lossAtWPlusV = loss.getDouble();
                    collector.backward(loss);
                }
                TestModels.step(trainer, awp);
            }
            assertThat(lossAtWPlusV).isCloseTo(fixture.number("loss_w_plus_v"), within(1e-12));

            Fixtures.Node after = fixture.node("after");
            Fixtures.Node statistics = fixture.node("after_running_stats_with_djl_momentum");
            NAMES.forEach(
                    (djl, ref) -> {
                        double[] expected =
                                ref.startsWith("bn_running")
                                        ? statistics.doubles(ref)
                                        : after.doubles(ref);
                        double[] actual = values(block, djl);
                        for (int i = 0; i < expected.length; i++) {
                            assertThat(actual[i])
                                    .as("%s[%d]", ref, i)
                                    .isCloseTo(expected[i], within(TOLERANCE));
                        }
                    });
        }
    }

    static String djlName(String reference) {
        return NAMES.entrySet().stream()
                .filter(e -> e.getValue().equals(reference))
                .findFirst()
                .orElseThrow()
                .getKey();
    }

    static double[] values(Block block, String name) {
        return TestModels.parameter(block, name).toType(DataType.FLOAT64, true).toDoubleArray();
    }
}
