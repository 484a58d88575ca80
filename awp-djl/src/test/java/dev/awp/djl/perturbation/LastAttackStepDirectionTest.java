package dev.awp.djl.perturbation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import dev.awp.attack.Attacks;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.RandomStart;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.internal.WeightLeaves;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.testing.TestModels;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.djl.training.BatchResult;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.PerturbationDirection;
import dev.awp.perturbation.WeightPerturbation;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link PerturbationDirection#LAST_ATTACK_STEP}: {@code v} from the weight gradient of the
 * attack's last iteration, with no pass of its own.
 */
class LastAttackStepDirectionTest {

    static final Shape INPUT = new Shape(16, 3, 6, 6);
    static final double GAMMA = 0.01;
    static final String CONV = "01Conv2d_weight";
    static final String LINEAR = "06Linear_weight";

    /** One PGD step from x itself: the last (only) iteration differentiates at x. */
    static final PgdAttack ONE_STEP =
            Attacks.pgdTraining().withSteps(1).withRandomStart(RandomStart.NONE);

    static AwpOptimizer cheap() {
        return AwpOptimizer.wrap(
                TestModels.sgd(0.05f, 0.9f, 5e-4f),
                WeightPerturbation.of(GAMMA).withDirection(PerturbationDirection.LAST_ATTACK_STEP));
    }

    static NDArray[] batch(NDManager manager) {
        NDArray x = manager.randomUniform(0f, 1f, INPUT);
        NDArray y = x.mean(new int[] {3}).mean(new int[] {2}).argMax(1);
        return new NDArray[] {x, y};
    }

    @Test
    void should_perturb_along_the_weight_gradient_of_the_attacks_last_iteration() {
        Engine.getInstance().setRandomSeed(61);
        AwpOptimizer awp = cheap();
        try (Model model = TestModels.model("cheap", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, awp, INPUT);
                NDManager data = trainer.getManager().newSubManager()) {
            Block block = model.getBlock();
            NDArray[] xy = batch(data);
            NDArray x = xy[0];
            NDArray y = xy[1];
            // the attack's only gradient: sum of per-example cross-entropy at x, training mode
            float[][] expected = new float[2][];
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).head();
                collector.backward(Losses.perExampleCrossEntropy(logits, y).sum());
            }
            String[] names = {CONV, LINEAR};
            for (int i = 0; i < names.length; i++) {
                try (NDArray g = TestModels.parameter(block, names[i]).getGradient()) {
                    expected[i] = g.toFloatArray();
                    g.subi(g);
                }
            }
            float[][] w = {
                TestModels.parameter(block, CONV).toFloatArray(),
                TestModels.parameter(block, LINEAR).toFloatArray()
            };

            AttackTarget target = awp.attackTarget(trainer, ONE_STEP);
            NDArray xAdv = InputAttacks.bind(ONE_STEP).generate(target, x, y);
            try (AppliedPerturbation v = awp.perturb(trainer, Objectives.pgdAt(), x, y, xAdv)) {
                assertThat(v.isActive()).isTrue();
                for (int i = 0; i < names.length; i++) {
                    float[] perturbed = TestModels.parameter(block, names[i]).toFloatArray();
                    double[] delta = new double[w[i].length];
                    for (int k = 0; k < delta.length; k++) {
                        delta[k] = (double) perturbed[k] - w[i][k];
                    }
                    assertThat(cosine(delta, expected[i])).as(names[i]).isCloseTo(1, within(1e-4));
                    assertThat(norm(delta) / norm(w[i]))
                            .as(names[i])
                            .isCloseTo(GAMMA, within(1e-5));
                }
                try (NDArray g = TestModels.parameter(block, CONV).getGradient()) {
                    assertThat(g.abs().sum().getFloat()).as("gradients zeroed").isZero();
                }
            }
            float[] restored = TestModels.parameter(block, CONV).toFloatArray();
            assertThat(restored).containsExactly(w[0], within(1e-6f));
        }
    }

    @Test
    void should_leave_the_attack_unchanged_when_it_keeps_the_weight_gradients() {
        Engine.getInstance().setRandomSeed(67);
        AwpOptimizer awp = cheap();
        try (Model model = TestModels.model("same", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, awp, INPUT);
                NDManager data = trainer.getManager().newSubManager()) {
            NDArray[] xy = batch(data);
            PgdAttack attack = Attacks.pgd(3);
            Engine.getInstance().setRandomSeed(5);
            float[] plain =
                    InputAttacks.bind(attack)
                            .generate(AttackTarget.of(trainer), xy[0], xy[1])
                            .toFloatArray();
            Engine.getInstance().setRandomSeed(5);
            Parameter conv = parameterNamed(model.getBlock(), CONV);
            try (WeightLeaves leaves = new WeightLeaves(Set.of(conv.getId()))) {
                float[] hooked =
                        InputAttacks.bind(attack)
                                .generate(
                                        AttackTarget.of(trainer).withWeightGradientsAt(3, leaves),
                                        xy[0],
                                        xy[1])
                                .toFloatArray();
                assertThat(hooked).containsExactly(plain);
                try (NDArray g = leaves.takeGradient(conv.getId())) {
                    assertThat(g.abs().sum().getFloat())
                            .as("last iteration's gradient, in the leaf")
                            .isPositive();
                }
            }
            try (NDArray g = conv.getArray().getGradient()) {
                assertThat(g.abs().sum().getFloat()).as("the model's gradient untouched").isZero();
            }
            assertThat(TestModels.parameter(model.getBlock(), CONV).hasGradient())
                    .as("requires_grad back on after the attack")
                    .isTrue();
        }
    }

    @Test
    void should_refuse_to_perturb_when_the_attack_left_no_weight_gradient() {
        Engine.getInstance().setRandomSeed(71);
        AwpOptimizer awp = cheap();
        try (Model model = TestModels.model("none", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, awp, INPUT);
                NDManager data = trainer.getManager().newSubManager()) {
            NDArray[] xy = batch(data);
            float[] w = TestModels.parameter(model.getBlock(), CONV).toFloatArray();
            // a first update backward so that the gradient arrays exist, then zeroed
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(xy[0])).head();
                collector.backward(Losses.crossEntropy(logits, xy[1]).mul(0));
            }
            NDArray xAdv =
                    InputAttacks.bind(ONE_STEP).generate(AttackTarget.of(trainer), xy[0], xy[1]);
            assertThatThrownBy(() -> awp.perturb(trainer, Objectives.pgdAt(), xy[0], xy[1], xAdv))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("awp.attackTarget(trainer, attack)");
            assertThat(TestModels.parameter(model.getBlock(), CONV).toFloatArray())
                    .containsExactly(w);
            assertThat(awp.hasAppliedPerturbation()).isFalse();
        }
    }

    @Test
    void should_reject_an_attack_that_is_not_a_pgd_specification() {
        AwpOptimizer awp = cheap();
        try (Model model = TestModels.model("fgsm", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, awp, INPUT)) {
            assertThatThrownBy(() -> awp.attackTarget(trainer, Attacks.fgsm()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("attack must be a PGD attack")
                    .hasMessageContaining("but was");
        }
    }

    @Test
    void trainStep_should_run_one_forward_fewer_than_exact_awp() {
        int exact = forwardsPerStep(WeightPerturbation.of(GAMMA));
        int cheap =
                forwardsPerStep(
                        WeightPerturbation.of(GAMMA)
                                .withDirection(PerturbationDirection.LAST_ATTACK_STEP));
        // PGD-2: 2 attack forwards + the AWP pass (exact only) + the update
        assertThat(exact).isEqualTo(4);
        assertThat(cheap).isEqualTo(3);
    }

    /** Forwards of the second AT-AWP step through a counting block. */
    static int forwardsPerStep(WeightPerturbation perturbation) {
        Engine.getInstance().setRandomSeed(73);
        AtomicInteger forwards = new AtomicInteger();
        Block block =
                new SequentialBlock()
                        .add(
                                new LambdaBlock(
                                        list -> {
                                            forwards.incrementAndGet();
                                            return list;
                                        }))
                        .add(TestModels.convBn());
        AwpOptimizer awp = AwpOptimizer.wrap(TestModels.sgd(0.05f, 0.9f, 5e-4f), perturbation);
        try (Model model = TestModels.model("count", block, DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, awp, INPUT);
                NDManager data = trainer.getManager().newSubManager()) {
            NDArray[] xy = batch(data);
            // the batch borrows the data manager, closed with it
            Batch batch =
                    new Batch(data, new NDList(xy[0]), new NDList(xy[1]), 16, null, null, 0, 1);
            AwpEasyTrain.trainStep(trainer, awp, Attacks.pgd(2), Objectives.pgdAt(), batch);
            forwards.set(0);
            BatchResult result =
                    AwpEasyTrain.trainStep(trainer, awp, Attacks.pgd(2), Objectives.pgdAt(), batch);
            assertThat(result.perturbed()).isTrue();
            assertThat(result.loss()).isFinite();
            return forwards.get();
        }
    }

    static double cosine(double[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static double norm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    static double norm(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    private static Parameter parameterNamed(Block block, String name) {
        for (var pair : block.getParameters()) {
            if (pair.getKey().equals(name)) {
                return pair.getValue();
            }
        }
        throw new IllegalArgumentException("no parameter " + name);
    }
}
