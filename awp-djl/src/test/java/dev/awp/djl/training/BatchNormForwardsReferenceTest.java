package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.RandomStart;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.testing.Fixtures;
import dev.awp.djl.testing.TestModels;
import dev.awp.objective.Objective;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.training.BatchNormForwards;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Three AT-AWP and three TRADES-AWP steps against the official code (csdongxian/AWP) run by {@code
 * src/test/python/make_bn_fixtures.py}: with {@link BatchNormForwards#OFFICIAL} every weight
 * <em>and</em> the BatchNorm running statistics after each step equal the official code's
 * (float64); with {@link BatchNormForwards#MINIMAL} the weights still do and the statistics do not,
 * which is what the fixture pins.
 */
class BatchNormForwardsReferenceTest {

    /** DJL parameter name → fixture name (the conv net of make_fixtures.py). */
    private static final Map<String, String> NAMES = TestModels.CONV_BN_FIXTURE_NAMES;

    private static final double TOLERANCE = 1e-9;

    /** Returns the fixture's x_adv of each step in turn; BatchNorm in inference mode. */
    private static final class Recorded implements InputAttack {
        private final Iterator<double[]> adversarial;

        Recorded(List<double[]> adversarial) {
            this.adversarial = adversarial.iterator();
        }

        @Override
        public NDArray generate(AttackTarget target, NDArray x, NDArray y) {
            NDArray xAdv = x.getManager().create(adversarial.next(), x.getShape());
            return xAdv.toType(x.getDataType(), false);
        }

        @Override
        public ThreatModel threatModel() {
            return ThreatModel.linf(8 / 255.0);
        }

        @Override
        public String name() {
            return "official TRADES attack (recorded)";
        }

        @Override
        public BatchNormMode batchNormMode() {
            return BatchNormMode.EVAL;
        }
    }

    /** Runs the fixture's steps; returns per step, per fixture name, the values after it. */
    private static List<Map<String, double[]>> run(
            Fixtures.Node fixture, Attack attack, Objective objective, BatchNormForwards forwards) {
        AwpOptimizer awp =
                AwpOptimizer.wrap(
                        TestModels.sgd(0.1f, 0.9f, 5e-4f),
                        WeightPerturbation.of(fixture.number("gamma")));
        List<Map<String, double[]>> after = new ArrayList<>();
        try (Model model = TestModels.model("convbn", TestModels.convBn(), DataType.FLOAT64);
                Trainer trainer = TestModels.trainer(model, awp, new Shape(8, 3, 6, 6))) {
            TestModels.skipFloat32GradientCheck(trainer);
            Block block = model.getBlock();
            Fixtures.Node initial = fixture.node("initial");
            NAMES.forEach((djl, ref) -> TestModels.set(block, djl, initial.doubles(ref)));
            NDManager manager = trainer.getManager();
            for (Fixtures.Node data : fixture.nodes("batches")) {
                NDManager batchManager = manager.newSubManager();
                NDArray x = data.array(batchManager, "x", DataType.FLOAT64);
                NDArray y = data.array(batchManager, "y", DataType.INT64);
                try (Batch batch =
                        new Batch(
                                batchManager, new NDList(x), new NDList(y), 8, null, null, 0, 1)) {
                    AwpEasyTrain.trainStep(trainer, awp, attack, objective, batch, forwards);
                }
                Map<String, double[]> values = new LinkedHashMap<>();
                NAMES.forEach(
                        (djl, ref) ->
                                values.put(ref, TestModels.parameter(block, djl).toDoubleArray()));
                after.add(values);
            }
        }
        return after;
    }

    private static void assertEqualsFixture(
            List<Map<String, double[]>> actual, Fixtures.Node fixture, boolean statistics) {
        List<Fixtures.Node> steps = fixture.nodes("steps_after");
        assertThat(actual).hasSameSizeAs(steps);
        for (int s = 0; s < steps.size(); s++) {
            Fixtures.Node expected = steps.get(s).node("after");
            for (Map.Entry<String, double[]> entry : actual.get(s).entrySet()) {
                boolean isStatistic = entry.getKey().startsWith("bn_running");
                if (isStatistic && !statistics) {
                    continue;
                }
                double[] want = expected.doubles(entry.getKey());
                double[] got = entry.getValue();
                for (int i = 0; i < want.length; i++) {
                    assertThat(got[i])
                            .as("step %d, %s[%d]", s + 1, entry.getKey(), i)
                            .isCloseTo(want[i], within(TOLERANCE));
                }
            }
        }
    }

    private static double maxStatisticDifference(
            List<Map<String, double[]>> actual, Fixtures.Node fixture) {
        double max = 0;
        List<Fixtures.Node> steps = fixture.nodes("steps_after");
        for (int s = 0; s < steps.size(); s++) {
            for (String name : new String[] {"bn_running_mean", "bn_running_var"}) {
                double[] want = steps.get(s).node("after").doubles(name);
                double[] got = actual.get(s).get(name);
                for (int i = 0; i < want.length; i++) {
                    max = Math.max(max, Math.abs(got[i] - want[i]));
                }
            }
        }
        return max;
    }

    private static Attack officialPgdFromZero() {
        return Attacks.pgdTraining().withRandomStart(RandomStart.NONE);
    }

    @Test
    void at_awp_should_equal_the_official_code_statistics_included() {
        Fixtures.Node fixture = Fixtures.load("bn_forwards.json").node("at_awp");
        List<Map<String, double[]>> official =
                run(fixture, officialPgdFromZero(), Objectives.pgdAt(), BatchNormForwards.OFFICIAL);
        assertEqualsFixture(official, fixture, true);
    }

    @Test
    void at_awp_with_minimal_forwards_should_equal_the_weights_but_not_the_statistics() {
        Fixtures.Node fixture = Fixtures.load("bn_forwards.json").node("at_awp");
        List<Map<String, double[]>> minimal =
                run(fixture, officialPgdFromZero(), Objectives.pgdAt(), BatchNormForwards.MINIMAL);
        assertEqualsFixture(minimal, fixture, false);
        assertThat(maxStatisticDifference(minimal, fixture)).isGreaterThan(1e-4);

        List<Map<String, double[]>> noLogging =
                run(
                        fixture,
                        officialPgdFromZero(),
                        Objectives.pgdAt(),
                        BatchNormForwards.OFFICIAL_WITHOUT_LOGGING_FORWARD);
        assertEqualsFixture(noLogging, fixture, false);
        assertThat(maxStatisticDifference(noLogging, fixture)).isGreaterThan(1e-4);
    }

    private static List<double[]> recordedAdversarial(Fixtures.Node fixture) {
        List<double[]> adversarial = new ArrayList<>();
        for (Fixtures.Node step : fixture.nodes("steps_after")) {
            adversarial.add(step.doubles("x_adv"));
        }
        return adversarial;
    }

    @Test
    void trades_awp_should_equal_the_official_code_statistics_included() {
        Fixtures.Node fixture = Fixtures.load("bn_forwards.json").node("trades_awp");
        List<Map<String, double[]>> official =
                run(
                        fixture,
                        new Recorded(recordedAdversarial(fixture)),
                        Objectives.trades(fixture.number("beta")),
                        BatchNormForwards.OFFICIAL);
        assertEqualsFixture(official, fixture, true);
    }

    @Test
    void trades_awp_with_minimal_forwards_should_equal_the_weights_but_not_the_statistics() {
        Fixtures.Node fixture = Fixtures.load("bn_forwards.json").node("trades_awp");
        List<Map<String, double[]>> minimal =
                run(
                        fixture,
                        new Recorded(recordedAdversarial(fixture)),
                        Objectives.trades(fixture.number("beta")),
                        BatchNormForwards.MINIMAL);
        assertEqualsFixture(minimal, fixture, false);
        assertThat(maxStatisticDifference(minimal, fixture)).isGreaterThan(1e-4);
    }
}
