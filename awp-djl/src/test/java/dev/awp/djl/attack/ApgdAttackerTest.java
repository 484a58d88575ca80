package dev.awp.djl.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.dataset.Batch;
import dev.awp.attack.ApgdAttack;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.InputDomain;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.evaluation.TrainedModels;
import dev.awp.djl.testing.FeatureBox;
import dev.awp.djl.testing.TestModels;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * APGD against its published algorithm (Croce and Hein, 2020) on a small undefended model trained
 * briefly on SyntheticShapes (32 test images).
 */
class ApgdAttackerTest {

    static final double EPS = 8 / 255.0;

    Model model;
    AttackTarget target;
    NDManager manager;
    Batch batch;
    NDArray x;
    NDArray y;

    @BeforeEach
    void setUp() {
        model = TrainedModels.shapes();
        target = AttackTarget.of(model.getBlock());
        manager = model.getNDManager().newSubManager();
        batch = TrainedModels.shapesTest().batch(manager, IntStream.range(0, 32).toArray());
        x = batch.getData().head();
        y = batch.getLabels().head();
        Engine.getInstance().setRandomSeed(11);
    }

    @AfterEach
    void tearDown() {
        batch.close();
        manager.close();
    }

    int correct(NDArray input) {
        long[] predicted = target.logits(input, BatchNormMode.EVAL).argMax(1).toLongArray();
        long[] labels = y.toLongArray();
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return correct;
    }

    NDArray run(Attack attack) {
        return InputAttacks.bind(attack).generate(target, x, y);
    }

    @Nested
    class StepSizeSchedule {
        @Test
        void should_check_at_the_papers_checkpoints_for_100_steps() {
            // p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06), times N = 100
            assertThat(ApgdAttacker.checkpoints(100))
                    .containsExactly(22, 41, 57, 70, 80, 87, 93, 99);
        }

        @Test
        void should_check_at_least_once_on_short_runs() {
            assertThat(ApgdAttacker.checkpoints(1)).containsExactly(1);
            assertThat(ApgdAttacker.checkpoints(10)).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10);
        }
    }

    @Nested
    class DlrLoss {
        // logits (3, 1, 2, 0), label 0: sorted 3 ≥ 2 ≥ 1 ≥ 0
        @Test
        void should_match_the_hand_computed_dlr() {
            NDArray logits = manager.create(new float[] {3, 1, 2, 0}, new Shape(1, 4));
            NDArray label = manager.create(new long[] {0});
            // −(3 − 2) / (3 − 1) = −0.5
            assertThat(DlrLosses.dlr(logits, label).getFloat(0)).isCloseTo(-0.5f, within(1e-6f));
        }

        @Test
        void should_match_the_hand_computed_targeted_dlr() {
            NDArray logits = manager.create(new float[] {3, 1, 2, 0}, new Shape(1, 4));
            NDArray label = manager.create(new long[] {0});
            NDArray targetClass = manager.create(new long[] {3});
            // −(3 − 0) / (3 − (1 + 0)/2) = −1.2
            assertThat(DlrLosses.targetedDlr(logits, label, targetClass).getFloat(0))
                    .isCloseTo(-1.2f, within(1e-6f));
        }

        @Test
        void should_be_positive_once_misclassified() {
            NDArray logits = manager.create(new float[] {1, 3, 2, 0}, new Shape(1, 4));
            NDArray label = manager.create(new long[] {0});
            // −(1 − 3) / (3 − 1) = 1
            assertThat(DlrLosses.dlr(logits, label).getFloat(0)).isCloseTo(1f, within(1e-6f));
        }

        @Test
        void should_give_a_zero_margin_on_a_tie_for_the_largest_logit() {
            NDArray logits = manager.create(new float[] {3, 3, 1, 3, 3, 0}, new Shape(2, 3));
            NDArray labels = manager.create(new long[] {0, 1});
            // the best other logit equals the label's: −0 / (3 − 1) and −(3 − 3) / (3 − 0)
            assertThat(DlrLosses.dlr(logits, labels).toFloatArray())
                    .containsExactly(new float[] {0f, 0f}, within(1e-7f));
        }

        // logits (1, 4, 2, 0, 3), label 0: L = −N/D with N = z0 − z1 = −3, D = z1 − z2 = 2, so
        // ∂L/∂z0 = −1/D, ∂L/∂z1 = (D + N)/D², ∂L/∂z2 = −N/D², nothing to z3 and z4
        @Test
        void should_send_the_gradient_to_the_label_the_best_other_and_the_third_class() {
            NDArray logits = manager.create(new float[] {1, 4, 2, 0, 3}, new Shape(1, 5));
            NDArray label = manager.create(new long[] {0});
            logits.setRequiresGradient(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray loss = DlrLosses.dlr(logits, label);
                assertThat(loss.getFloat(0)).isCloseTo(1.5f, within(1e-6f));
                collector.backward(loss);
            }
            assertThat(logits.getGradient().toFloatArray())
                    .containsExactly(new float[] {-0.5f, -0.25f, 0.75f, 0f, 0f}, within(1e-6f));
        }
    }

    @Nested
    class ThreatModelInvariants {
        @Test
        void should_stay_in_the_linf_ball_and_the_bounds() {
            for (ApgdAttack apgd :
                    new ApgdAttack[] {
                        Attacks.apgdCe().withSteps(5),
                        Attacks.apgdT().withSteps(3).withTargetClasses(2)
                    }) {
                NDArray adv = run(apgd);
                assertThat(adv.getShape()).isEqualTo(x.getShape());
                float maxDelta = adv.sub(x).abs().max().getFloat();
                assertThat(maxDelta).as(apgd.name()).isLessThanOrEqualTo((float) EPS + 1e-6f);
                assertThat(maxDelta).as(apgd.name()).isGreaterThan(0f);
                assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
                assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
            }
        }

        @Test
        void should_keep_per_example_l2_norms_within_epsilon() {
            double eps = 0.5;
            NDArray adv = run(Attacks.apgdCe().withThreatModel(ThreatModel.l2(eps)).withSteps(5));
            float[] norms = adv.sub(x).reshape(32, -1).norm(new int[] {1}).toFloatArray();
            for (float norm : norms) {
                assertThat(norm).isLessThanOrEqualTo((float) eps * (1 + 1e-5f));
            }
            assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
            assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
            assertThat(correct(adv)).isLessThan(correct(x));
        }

        @Test
        void should_return_clean_inputs_that_are_already_misclassified_unchanged() {
            NDArray adv = run(Attacks.apgdCe().withSteps(3));
            long[] predicted = target.logits(x, BatchNormMode.EVAL).argMax(1).toLongArray();
            long[] labels = y.toLongArray();
            int checked = 0;
            for (int i = 0; i < labels.length; i++) {
                if (predicted[i] != labels[i]) {
                    assertThat(adv.get(i).toFloatArray()).containsExactly(x.get(i).toFloatArray());
                    checked++;
                }
            }
            assertThat(checked).isPositive();
        }

        @Test
        void should_not_modify_the_clean_inputs() {
            float[] before = x.toFloatArray();
            run(Attacks.apgdCe().withSteps(3));
            assertThat(x.toFloatArray()).containsExactly(before);
        }
    }

    @Nested
    class PerFeatureDomain {
        /** float32 rounding of {@code x + δ} at the scale of the amounts (up to 1000). */
        static final float SLACK = Math.ulp(1000f);

        Model mlp;
        AttackTarget mlpTarget;
        NDArray features;
        NDArray labels;

        @BeforeEach
        void setUpMlp() {
            mlp = TestModels.model("mlp", TestModels.mlp(), DataType.FLOAT32);
            mlp.getBlock()
                    .initialize(manager, DataType.FLOAT32, new Shape(16, FeatureBox.FEATURES));
            mlpTarget = AttackTarget.of(mlp.getBlock());
            features = FeatureBox.inputs(manager, 16, 5);
            labels = manager.randomInteger(0, 3, new Shape(16), DataType.INT64);
        }

        @AfterEach
        void tearDownMlp() {
            mlp.close();
        }

        NDArray attack(ApgdAttack apgd) {
            return InputAttacks.bind(apgd).generate(mlpTarget, features, labels);
        }

        @Test
        void should_stay_in_the_feature_bounds_and_the_linf_ball() {
            NDArray adv =
                    attack(
                            Attacks.apgdCe()
                                    .withThreatModel(ThreatModel.linf(0.5, FeatureBox.DOMAIN))
                                    .withSteps(10));
            FeatureBox.assertInsideWithSomeOnABound(adv);
            float maxDelta = adv.sub(features).abs().max().getFloat();
            assertThat(maxDelta).isLessThanOrEqualTo(0.5f + SLACK).isGreaterThan(0f);
        }

        @Test
        void should_stay_in_the_feature_bounds_and_the_l2_ball() {
            double eps = 1.0;
            NDArray adv =
                    attack(
                            Attacks.apgdCe()
                                    .withThreatModel(ThreatModel.l2(eps, FeatureBox.DOMAIN))
                                    .withSteps(10));
            FeatureBox.assertInsideWithSomeOnABound(adv);
            for (float norm : adv.sub(features).norm(new int[] {1}).toFloatArray()) {
                assertThat(norm).isLessThanOrEqualTo((float) eps + 2 * SLACK);
            }
        }

        @Test
        void should_match_the_scalar_unit_domain_bit_for_bit() {
            // the SyntheticShapes images (32, 3, 32, 32): 3072 pairs of [0, 1] per example
            double[] upper = new double[3 * 32 * 32];
            java.util.Arrays.fill(upper, 1);
            InputDomain unitPerFeature = InputDomain.perFeature(new double[upper.length], upper);
            ApgdAttack scalar = Attacks.apgdCe().withSteps(5);
            ApgdAttack perFeature =
                    scalar.withThreatModel(scalar.threatModel().withDomain(unitPerFeature));

            Engine.getInstance().setRandomSeed(5);
            float[] expected = run(scalar).toFloatArray();
            Engine.getInstance().setRandomSeed(5);
            float[] actual = run(perFeature).toFloatArray();

            assertThat(actual).containsExactly(expected);
        }
    }

    @Nested
    class Strength {
        /**
         * Same budget (20 gradient steps, ε = 2/255) on the same examples: APGD-CE breaks at least
         * as many as PGD-20 with a hand-tuned step ε/4. With 8/255 both reach almost 0 on this
         * undefended model, so the smaller budget is the informative comparison.
         */
        @Test
        void should_be_at_least_as_strong_as_pgd_with_the_same_budget() {
            double eps = 2 / 255.0;
            ThreatModel tm = ThreatModel.linf(eps);
            int clean = correct(x);
            Engine.getInstance().setRandomSeed(3);
            int pgd = correct(run(Attacks.pgd(20).withThreatModel(tm).withStepSize(eps / 4)));
            Engine.getInstance().setRandomSeed(3);
            int apgd = correct(run(Attacks.apgdCe().withThreatModel(tm).withSteps(20)));
            System.out.printf(
                    "APGD vs PGD on 32 SyntheticShapes images, eps 2/255: clean %d, PGD-20 %d,"
                            + " APGD-CE-20 %d%n",
                    clean, pgd, apgd);
            assertThat(pgd).isLessThan(clean);
            assertThat(apgd).isLessThanOrEqualTo(pgd);
        }

        @Test
        void should_break_examples_with_the_targeted_dlr_loss() {
            int clean = correct(x);
            int targeted = correct(run(Attacks.apgdT().withSteps(5).withTargetClasses(2)));
            assertThat(targeted).isLessThan(clean);
        }

        @Test
        void should_give_the_same_result_for_the_same_seed() {
            ApgdAttack apgd = Attacks.apgdCe().withSteps(3);
            Engine.getInstance().setRandomSeed(42);
            float[] first = run(apgd).toFloatArray();
            Engine.getInstance().setRandomSeed(42);
            float[] second = run(apgd).toFloatArray();
            assertThat(second).containsExactly(first);
        }
    }

    @Nested
    class ClassCounts {
        NDArray tiny() {
            return manager.randomUniform(0f, 1f, new Shape(4, 3, 32, 32));
        }

        @Test
        void should_reject_dlr_on_a_two_class_model_naming_the_class_count() {
            try (Model two = TrainedModels.untrained(2)) {
                NDArray input = tiny();
                NDArray labels = manager.create(new long[] {0, 1, 0, 1});
                assertThatIllegalArgumentException()
                        .isThrownBy(
                                () ->
                                        InputAttacks.bind(Attacks.apgdDlr())
                                                .generate(
                                                        AttackTarget.of(two.getBlock()),
                                                        input,
                                                        labels))
                        .withMessageStartingWith("numClasses must be >= 3 for APGD-DLR")
                        .withMessageContaining("but was 2");
            }
        }

        @Test
        void should_reject_targeted_dlr_on_a_three_class_model_naming_the_class_count() {
            try (Model three = TrainedModels.untrained(3)) {
                NDArray input = tiny();
                NDArray labels = manager.create(new long[] {0, 1, 2, 0});
                assertThatIllegalArgumentException()
                        .isThrownBy(
                                () ->
                                        InputAttacks.bind(Attacks.apgdT())
                                                .generate(
                                                        AttackTarget.of(three.getBlock()),
                                                        input,
                                                        labels))
                        .withMessageStartingWith("numClasses must be >= 4 for APGD-T")
                        .withMessageContaining("but was 3");
            }
        }

        @Test
        void should_cap_the_targets_on_a_four_class_model() {
            try (Model four = TrainedModels.untrained(4)) {
                NDArray input = tiny();
                NDArray labels = manager.create(new long[] {0, 1, 2, 3});
                NDArray adv =
                        InputAttacks.bind(Attacks.apgdT().withSteps(2))
                                .generate(AttackTarget.of(four.getBlock()), input, labels);
                assertThat(adv.sub(input).abs().max().getFloat())
                        .isLessThanOrEqualTo((float) EPS + 1e-6f);
            }
        }
    }
}
