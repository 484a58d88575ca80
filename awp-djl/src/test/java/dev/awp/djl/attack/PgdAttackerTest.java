package dev.awp.djl.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import dev.awp.attack.Attack;
import dev.awp.attack.AttackLoss;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.RandomStart;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PgdAttackerTest {

    static final double EPS = 8 / 255.0;

    Model model;
    Trainer trainer;
    AttackTarget target;
    NDArray x;
    NDArray y;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(1);
        model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
        trainer = TestModels.trainer(model, TestModels.sgd(0.1f, 0.9f, 0), new Shape(16, 3, 6, 6));
        target = AttackTarget.of(trainer);
        NDManager manager = trainer.getManager();
        x = manager.randomUniform(0f, 1f, new Shape(16, 3, 6, 6));
        y = manager.randomInteger(0, 3, new Shape(16), DataType.INT64);
    }

    @AfterEach
    void tearDown() {
        trainer.close();
        model.close();
    }

    static PgdAttack linf(RandomStart start, AttackLoss loss) {
        return PgdAttack.builder()
                .threatModel(ThreatModel.linf(EPS))
                .steps(5)
                .stepSize(2 / 255.0)
                .randomStart(start)
                .loss(loss)
                .build();
    }

    double meanLoss(NDArray input) {
        try (NDArray losses =
                Losses.perExampleCrossEntropy(target.logits(input, BatchNormMode.EVAL), y)) {
            return losses.mean().getFloat();
        }
    }

    double[] perExampleLoss(NDArray input) {
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray logits = target.logits(input, BatchNormMode.EVAL);
            logits.attach(scope);
            NDArray losses = Losses.perExampleCrossEntropy(logits, y);
            losses.attach(scope);
            return losses.toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    @Nested
    class ThreatModelInvariants {

        @ParameterizedTest(name = "{0}")
        @EnumSource(RandomStart.class)
        void should_stay_in_the_linf_ball_and_input_bounds(RandomStart start) {
            for (AttackLoss loss :
                    List.of(
                            AttackLoss.crossEntropy(),
                            AttackLoss.cwMargin(10),
                            AttackLoss.klToClean())) {
                NDArray adv = InputAttacks.bind(linf(start, loss)).generate(target, x, y);
                assertThat(adv.getShape()).isEqualTo(x.getShape());
                assertThat(adv.sub(x).abs().max().getFloat())
                        .as("max |δ| for %s", loss.kind())
                        .isLessThanOrEqualTo((float) EPS + 1e-7f);
                assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
                assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
                // and the attack moved the input: the check can fail
                assertThat(adv.sub(x).abs().max().getFloat()).isGreaterThan(0f);
            }
        }

        @Test
        void should_keep_per_example_l2_norms_within_epsilon() {
            double eps = 0.5;
            PgdAttack l2 =
                    PgdAttack.builder()
                            .threatModel(ThreatModel.l2(eps))
                            .steps(10)
                            .stepSize(0.2)
                            .build();
            NDArray adv = InputAttacks.bind(l2).generate(target, x, y);
            float[] norms = adv.sub(x).reshape(16, -1).norm(new int[] {1}).toFloatArray();
            for (float norm : norms) {
                assertThat(norm).isLessThanOrEqualTo((float) eps * (1 + 1e-5f));
            }
            assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
            assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
            // most examples reach the sphere after 10 steps of 0.2 (clamping may stop a few)
            long onSphere = 0;
            for (float norm : norms) {
                onSphere += norm > eps * 0.99 ? 1 : 0;
            }
            assertThat(onSphere).isGreaterThan(8);
        }

        @Test
        void should_not_modify_the_clean_inputs() {
            float[] before = x.toFloatArray();
            InputAttacks.bind(Attacks.pgd(3)).generate(target, x, y);
            assertThat(x.toFloatArray()).containsExactly(before);
        }
    }

    @Nested
    class Strength {

        @Test
        void should_not_decrease_the_loss_from_its_start() {
            NDArray adv =
                    InputAttacks.bind(linf(RandomStart.NONE, AttackLoss.crossEntropy()))
                            .generate(target, x, y);
            assertThat(meanLoss(adv)).isGreaterThan(meanLoss(x));
        }

        @Test
        void should_keep_the_worst_restart_per_example() {
            PgdAttack once = linf(RandomStart.UNIFORM, AttackLoss.crossEntropy());
            Engine.getInstance().setRandomSeed(99);
            NDArray best = InputAttacks.bind(once.withRestarts(3)).generate(target, x, y);
            // the same random stream, one run at a time
            Engine.getInstance().setRandomSeed(99);
            List<double[]> runs = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                runs.add(perExampleLoss(InputAttacks.bind(once).generate(target, x, y)));
            }
            double[] bestLoss = perExampleLoss(best);
            int differing = 0;
            for (int i = 0; i < bestLoss.length; i++) {
                double max = Math.max(runs.get(0)[i], Math.max(runs.get(1)[i], runs.get(2)[i]));
                assertThat(bestLoss[i]).as("example %d", i).isCloseTo(max, within(1e-5));
                differing += runs.get(0)[i] < max - 1e-6 ? 1 : 0;
            }
            // the restarts mattered for some examples, so keeping the worst was exercised
            assertThat(differing).isPositive();
        }

        private org.assertj.core.data.Offset<Double> within(double value) {
            return org.assertj.core.data.Offset.offset(value);
        }
    }

    @Nested
    class Gradients {

        @Test
        void should_compute_no_weight_gradient() {
            // give every weight a known non-zero gradient
            try (GradientCollector collector = trainer.newGradientCollector()) {
                collector.backward(target.logits(x, BatchNormMode.TRAIN).sum());
            }
            List<float[]> before = new ArrayList<>();
            List<Parameter> trainable = new ArrayList<>();
            for (Parameter parameter : model.getBlock().getParameters().values()) {
                if (parameter.requiresGradient()) {
                    trainable.add(parameter);
                    try (NDArray g = parameter.getArray().getGradient()) {
                        before.add(g.toFloatArray());
                    }
                }
            }
            InputAttacks.bind(Attacks.pgd(3)).generate(target, x, y);
            for (int i = 0; i < trainable.size(); i++) {
                NDArray array = trainable.get(i).getArray();
                assertThat(array.hasGradient()).isTrue();
                try (NDArray g = array.getGradient()) {
                    assertThat(g.toFloatArray()).containsExactly(before.get(i));
                }
            }
        }

        @Test
        void should_give_the_input_gradient_of_the_loss() {
            NDArray gradient =
                    InputGradients.of(
                            target,
                            x,
                            BatchNormMode.EVAL,
                            logits -> Losses.perExampleCrossEntropy(logits, y).sum());
            assertThat(gradient.getShape()).isEqualTo(x.getShape());
            // finite-difference check along the gradient direction
            double h = 1e-2;
            NDArray direction = gradient.div(gradient.norm());
            double plus = meanLoss(x.add(direction.mul(h))) * 16;
            double minus = meanLoss(x.sub(direction.mul(h))) * 16;
            double slope = (plus - minus) / (2 * h);
            assertThat(slope)
                    .isCloseTo(
                            gradient.norm().getFloat(),
                            org.assertj.core.data.Percentage.withPercentage(5));
        }
    }

    @Nested
    class BatchNormModes {

        float[] runningMean() {
            for (Parameter parameter : model.getBlock().getParameters().values()) {
                if (parameter.getType() == Parameter.Type.RUNNING_MEAN) {
                    return parameter.getArray().toFloatArray();
                }
            }
            throw new AssertionError("no BatchNorm");
        }

        @Test
        void should_leave_running_statistics_unchanged_in_eval_mode() {
            float[] before = runningMean();
            InputAttacks.bind(Attacks.pgd(3)).generate(target, x, y);
            assertThat(runningMean()).containsExactly(before);
        }

        @Test
        void should_update_running_statistics_in_train_mode_like_the_reference() {
            float[] before = runningMean();
            InputAttacks.bind(Attacks.pgd(3).withBatchNormMode(BatchNormMode.TRAIN))
                    .generate(target, x, y);
            assertThat(runningMean()).isNotEqualTo(before);
        }
    }

    @Nested
    class Binding {

        @Test
        void should_run_fgsm_as_one_step() {
            NDArray adv = InputAttacks.bind(Attacks.fgsm()).generate(target, x, y);
            assertThat(adv.sub(x).abs().max().getFloat()).isLessThanOrEqualTo((float) EPS + 1e-7f);
            assertThat(InputAttacks.bind(Attacks.fgsm()).name()).isEqualTo("FGSM");
        }

        @Test
        void should_return_a_custom_attack_as_it_is() {
            InputAttack identity =
                    new InputAttack() {
                        @Override
                        public NDArray generate(AttackTarget t, NDArray clean, NDArray labels) {
                            return clean.duplicate();
                        }

                        @Override
                        public ThreatModel threatModel() {
                            return ThreatModel.linf(EPS);
                        }

                        @Override
                        public String name() {
                            return "identity";
                        }
                    };
            assertThat(InputAttacks.bind(identity)).isSameAs(identity);
        }

        @Test
        void should_reject_an_attack_it_cannot_run() {
            Attack foreign =
                    new Attack() {
                        @Override
                        public ThreatModel threatModel() {
                            return ThreatModel.linf(EPS);
                        }

                        @Override
                        public String name() {
                            return "foreign";
                        }
                    };
            assertThatThrownBy(() -> InputAttacks.bind(foreign))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(
                            "attack must be a PgdAttack, an FgsmAttack, an ApgdAttack or implement")
                    .hasMessageContaining(foreign.getClass().getName());
        }
    }
}
