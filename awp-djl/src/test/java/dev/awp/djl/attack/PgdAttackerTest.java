package dev.awp.djl.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import dev.awp.attack.Attack;
import dev.awp.attack.AttackLoss;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.FgsmAttack;
import dev.awp.attack.InputDomain;
import dev.awp.attack.Norm;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.RandomStart;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.testing.FeatureBox;
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
    class PerFeatureDomain {
        /** float32 rounding of {@code x + δ} at the scale of the amounts (up to 1000). */
        static final float SLACK = Math.ulp(1000f);

        Model mlp;
        Trainer mlpTrainer;
        AttackTarget mlpTarget;
        NDArray features;
        NDArray labels;

        @BeforeEach
        void setUpMlp() {
            mlp = TestModels.model("mlp", TestModels.mlp(), DataType.FLOAT32);
            mlpTrainer = TestModels.trainer(mlp, TestModels.sgd(0.1f, 0, 0), new Shape(16, 3));
            mlpTarget = AttackTarget.of(mlpTrainer);
            NDManager manager = mlpTrainer.getManager();
            features = FeatureBox.inputs(manager, 16, 5);
            labels = manager.randomInteger(0, 3, new Shape(16), DataType.INT64);
        }

        @AfterEach
        void tearDownMlp() {
            mlpTrainer.close();
            mlp.close();
        }

        PgdAttack pgd(ThreatModel tm, RandomStart start) {
            return PgdAttack.builder()
                    .threatModel(tm)
                    .steps(5)
                    .stepSize(tm.epsilon() / 2)
                    .randomStart(start)
                    .build();
        }

        NDArray attack(Attack attack) {
            return InputAttacks.bind(attack).generate(mlpTarget, features, labels);
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(RandomStart.class)
        void should_stay_in_the_feature_bounds_and_the_linf_ball(RandomStart start) {
            NDArray adv = attack(pgd(ThreatModel.linf(0.5, FeatureBox.DOMAIN), start));
            FeatureBox.assertInsideWithSomeOnABound(adv);
            float maxDelta = adv.sub(features).abs().max().getFloat();
            assertThat(maxDelta).isLessThanOrEqualTo(0.5f + SLACK).isGreaterThan(0f);
        }

        @Test
        void should_bind_where_scalar_bounds_over_the_same_range_would_not() {
            ThreatModel envelope = ThreatModel.linf(0.5, InputDomain.of(-1, 1000));
            NDArray loose = attack(pgd(envelope, RandomStart.UNIFORM));
            // the box matters: scalar bounds let counts go negative and ratios above 1
            assertThat(FeatureBox.outside(loose)).isPositive();
        }

        @Test
        void should_keep_l2_norms_within_epsilon_and_the_feature_bounds() {
            double eps = 1.0;
            NDArray adv = attack(pgd(ThreatModel.l2(eps, FeatureBox.DOMAIN), RandomStart.UNIFORM));
            FeatureBox.assertInsideWithSomeOnABound(adv);
            for (float norm : adv.sub(features).norm(new int[] {1}).toFloatArray()) {
                assertThat(norm).isLessThanOrEqualTo((float) eps + 2 * SLACK);
            }
        }

        @Test
        void should_run_fgsm_from_a_random_start_inside_the_feature_bounds() {
            FgsmAttack fgsm =
                    FgsmAttack.builder()
                            .threatModel(ThreatModel.linf(0.5, FeatureBox.DOMAIN))
                            .stepSize(0.5)
                            .randomStart(RandomStart.UNIFORM)
                            .build();
            NDArray adv = attack(fgsm);
            FeatureBox.assertInsideWithSomeOnABound(adv);
            assertThat(adv.sub(features).abs().max().getFloat()).isLessThanOrEqualTo(0.5f + SLACK);
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(Norm.class)
        void should_match_the_scalar_unit_domain_bit_for_bit(Norm norm) {
            // the conv model's inputs (16, 3, 6, 6): 108 pairs of [0, 1], broadcast per example
            double[] upper = new double[3 * 6 * 6];
            java.util.Arrays.fill(upper, 1);
            InputDomain unitPerFeature = InputDomain.perFeature(new double[upper.length], upper);
            double eps = norm == Norm.LINF ? EPS : 0.5;
            PgdAttack scalar =
                    pgd(ThreatModel.builder().norm(norm).epsilon(eps).build(), RandomStart.UNIFORM)
                            .withStepSize(eps / 4);
            PgdAttack perFeature =
                    scalar.withThreatModel(scalar.threatModel().withDomain(unitPerFeature));
            assertThat(perFeature.threatModel().featureBounds()).isPresent();

            Engine.getInstance().setRandomSeed(7);
            float[] expected = InputAttacks.bind(scalar).generate(target, x, y).toFloatArray();
            Engine.getInstance().setRandomSeed(7);
            float[] actual = InputAttacks.bind(perFeature).generate(target, x, y).toFloatArray();

            assertThat(actual).containsExactly(expected);
            // the bounds were active: some components were clipped to exactly 0 or 1
            float[] clean = x.toFloatArray();
            int clipped = 0;
            for (int i = 0; i < clean.length; i++) {
                clipped += (actual[i] == 0f || actual[i] == 1f) && actual[i] != clean[i] ? 1 : 0;
            }
            assertThat(clipped).isPositive();
        }

        @Test
        void should_reject_inputs_outside_the_feature_bounds_naming_the_first() {
            features.set(new NDIndex("2, 1"), 12.5f);
            features.set(new NDIndex("5, 2"), -3f);
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    attack(
                                            pgd(
                                                    ThreatModel.linf(0.5, FeatureBox.DOMAIN),
                                                    RandomStart.NONE)))
                    .withMessageStartingWith("x must lie in the threat model's per-feature bounds")
                    .withMessageContaining("the first of 2 values outside")
                    .withMessageContaining("feature 1 of example 2, was 12.5 (bounds [0.0, 10.0])");
        }

        @Test
        void should_reject_bounds_that_do_not_match_an_example() {
            PgdAttack threeFeatures =
                    pgd(ThreatModel.linf(EPS, FeatureBox.DOMAIN), RandomStart.NONE);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> InputAttacks.bind(threeFeatures).generate(target, x, y))
                    .withMessageContaining("per-feature bounds must have one pair per element")
                    .withMessageContaining("(3, 6, 6): 108 elements")
                    .withMessageContaining("but had shape (3)");
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
                            "attack must be a PgdAttack, an FgsmAttack, an ApgdAttack, a FabAttack, a SquareAttack"
                                    + " or implement")
                    .hasMessageContaining(foreign.getClass().getName());
        }
    }
}
