package dev.awp.djl.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.FabAttack;
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
 * FAB and FAB-T on a small trained model (32 SyntheticShapes test images): the threat model and
 * AutoAttack's success rule (misclassified within ε, else the clean input) as invariants.
 */
class FabAttackerTest {

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

    long[] predicted(NDArray input) {
        return target.logits(input, BatchNormMode.EVAL).argMax(1).toLongArray();
    }

    int correct(NDArray input) {
        long[] predicted = predicted(input);
        long[] labels = y.toLongArray();
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return correct;
    }

    NDArray run(FabAttack attack) {
        return InputAttacks.bind(attack).generate(target, x, y);
    }

    /** Every example is either returned clean or misclassified within ε. */
    void assertBrokenWithinEpsilonOrClean(NDArray adv, double eps, boolean linf) {
        long[] predicted = predicted(adv);
        long[] labels = y.toLongArray();
        int broken = 0;
        for (int i = 0; i < labels.length; i++) {
            NDArray delta = adv.get(i).sub(x.get(i));
            double size = linf ? delta.abs().max().getFloat() : delta.reshape(-1).norm().getFloat();
            if (size == 0) {
                continue;
            }
            assertThat(predicted[i]).as("example %d", i).isNotEqualTo(labels[i]);
            assertThat(size).isLessThanOrEqualTo(eps * (1 + 1e-5));
            broken++;
        }
        assertThat(broken).isPositive();
        assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
        assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
    }

    @Nested
    class ThreatModelInvariants {
        @Test
        void should_return_fab_t_adversarials_within_the_linf_ball_or_the_clean_input() {
            NDArray adv = run(Attacks.fabT().withSteps(10).withTargetClasses(3));
            assertBrokenWithinEpsilonOrClean(adv, EPS, true);
            assertThat(correct(adv)).isLessThan(correct(x));
        }

        @Test
        void should_return_fab_adversarials_within_the_l2_ball_or_the_clean_input() {
            double eps = 0.5;
            NDArray adv = run(Attacks.fab().withThreatModel(ThreatModel.l2(eps)).withSteps(10));
            assertBrokenWithinEpsilonOrClean(adv, eps, false);
        }

        @Test
        void should_run_untargeted_with_random_restarts_inside_the_ball() {
            NDArray adv = run(Attacks.fab().withSteps(5).withRestarts(2));
            assertBrokenWithinEpsilonOrClean(adv, EPS, true);
        }

        @Test
        void should_be_deterministic_with_one_run_from_the_clean_input() {
            FabAttack fabT = Attacks.fabT().withSteps(5).withTargetClasses(2);
            Engine.getInstance().setRandomSeed(1);
            float[] first = run(fabT).toFloatArray();
            Engine.getInstance().setRandomSeed(2);
            float[] second = run(fabT).toFloatArray();
            assertThat(second).containsExactly(first);
        }

        @Test
        void should_break_at_least_as_many_with_a_larger_budget() {
            FabAttack fabT = Attacks.fabT().withSteps(10).withTargetClasses(2);
            int small = correct(run(fabT.withThreatModel(ThreatModel.linf(2 / 255.0))));
            int large = correct(run(fabT));
            assertThat(large).isLessThanOrEqualTo(small);
        }
    }

    @Nested
    class PerFeatureDomain {
        @Test
        void should_stay_in_the_feature_bounds() {
            try (Model mlp = TestModels.model("mlp", TestModels.mlp(), DataType.FLOAT32)) {
                mlp.getBlock()
                        .initialize(manager, DataType.FLOAT32, new Shape(16, FeatureBox.FEATURES));
                NDArray features = FeatureBox.inputs(manager, 16, 5);
                NDArray labels = manager.randomInteger(0, 3, new Shape(16), DataType.INT64);
                NDArray adv =
                        InputAttacks.bind(
                                        Attacks.fab()
                                                .withThreatModel(
                                                        ThreatModel.linf(5, FeatureBox.DOMAIN))
                                                .withSteps(10))
                                .generate(AttackTarget.of(mlp.getBlock()), features, labels);
                FeatureBox.assertInsideWithSomeOnABound(adv);
            }
        }
    }

    @Nested
    class ClassCounts {
        @Test
        void should_run_fab_t_on_a_two_class_model_with_one_target() {
            try (Model two = TrainedModels.untrained(2)) {
                NDArray input = manager.randomUniform(0f, 1f, new Shape(4, 3, 32, 32));
                NDArray labels = manager.create(new long[] {0, 1, 0, 1});
                NDArray adv =
                        InputAttacks.bind(Attacks.fabT().withSteps(3))
                                .generate(AttackTarget.of(two.getBlock()), input, labels);
                assertThat(adv.sub(input).abs().max().getFloat())
                        .isLessThanOrEqualTo((float) EPS + 1e-6f);
            }
        }
    }
}
