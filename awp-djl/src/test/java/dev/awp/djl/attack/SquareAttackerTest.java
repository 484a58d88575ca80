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
import ai.djl.training.dataset.Batch;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.SquareAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.evaluation.TrainedModels;
import dev.awp.djl.internal.SplitMix64;
import dev.awp.djl.testing.FeatureBox;
import dev.awp.djl.testing.TestModels;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Square attack against its paper (Andriushchenko et al., ECCV 2020) and AutoAttack's
 * documented settings: the window schedule and the L2 pattern as golden values, the threat model as
 * invariants on a small trained model (32 SyntheticShapes test images).
 */
class SquareAttackerTest {

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

    NDArray run(SquareAttack attack) {
        return InputAttacks.bind(attack).generate(target, x, y);
    }

    @Nested
    class WindowSchedule {
        @ParameterizedTest(name = "iteration {0}: p = {1}")
        @CsvSource({
            "0, 0.8",
            "10, 0.8",
            "11, 0.4",
            "50, 0.4",
            "51, 0.2",
            "200, 0.2",
            "201, 0.1",
            "500, 0.1",
            "501, 0.05",
            "1000, 0.05",
            "1001, 0.025",
            "2001, 0.0125",
            "4000, 0.0125",
            "4001, 0.00625",
            "6001, 0.003125",
            "8001, 0.0015625",
            "100000, 0.0015625"
        })
        void should_halve_p_after_the_papers_iterations(int iteration, double p) {
            assertThat(Attacks.square().windowFraction(iteration)).isEqualTo(p);
        }

        @ParameterizedTest(name = "p {0}, {1}x{2}, linf {3}: side {4}")
        @CsvSource({
            // √(0.8·784) = 25.04
            "0.8, 28, 28, true, 25",
            // √(0.05·784) = 6.26
            "0.05, 28, 28, true, 6",
            // √(0.25·25) = 2.5 rounds half to even, as Python's round
            "0.25, 5, 5, true, 2",
            "0.001, 28, 28, true, 1",
            "1.0, 4, 4, true, 4",
            // L2: at least 3, odd: √(0.8·1024) = 28.6 → 29; √(0.4·1024) = 20.2 → 20 → 21
            "0.8, 32, 32, false, 29",
            "0.4, 32, 32, false, 21",
            "0.25, 5, 5, false, 3",
            "0.001, 28, 28, false, 3",
            "1.0, 4, 4, false, 4"
        })
        void should_size_the_window_from_p(double p, int h, int w, boolean linf, int side) {
            assertThat(SquareAttacker.windowSide(p, h, w, linf)).isEqualTo(side);
        }
    }

    @Nested
    class L2Pattern {
        @Test
        void should_weight_nested_squares_by_inverse_squares() {
            // 1 × 3, centre (0, 1): Σ_{k=0}^{1} 1/(k+1)² = 1.25 there, 1/4 at distance 1
            assertThat(SquareAttacker.rectangle(1, 3))
                    .containsExactly(
                            new double[] {
                                0.19245008972987526, 0.9622504486493763, 0.19245008972987526
                            },
                            within(1e-12));
        }

        @Test
        void should_put_the_positive_half_on_top_and_the_negative_below() {
            assertThat(SquareAttacker.pattern(3, false))
                    .containsExactly(
                            new double[] {
                                0.13608276348795437, 0.6804138174397717, 0.13608276348795437,
                                -0.12909944487358058, -0.12909944487358058, -0.12909944487358058,
                                -0.12909944487358058, -0.6454972243679029, -0.12909944487358058
                            },
                            within(1e-12));
        }

        @Test
        void should_transpose_on_request_and_have_unit_norm() {
            double[] eta = SquareAttacker.pattern(5, false);
            double[] transposed = SquareAttacker.pattern(5, true);
            double norm = 0;
            for (int r = 0; r < 5; r++) {
                for (int q = 0; q < 5; q++) {
                    assertThat(transposed[q * 5 + r]).isEqualTo(eta[r * 5 + q]);
                    norm += eta[r * 5 + q] * eta[r * 5 + q];
                }
            }
            assertThat(norm).isCloseTo(1.0, within(1e-12));
        }
    }

    @Nested
    class Sampling {
        @Test
        void should_draw_every_window_corner_including_the_last() {
            SplitMix64 random = new SplitMix64(7);
            int[] seen = new int[4];
            for (int i = 0; i < 4000; i++) {
                seen[random.nextIntByRemainder(4)]++;
            }
            // uniform over {0, 1, 2, 3} = {0, …, h − s}: each about 1000
            for (int count : seen) {
                assertThat(count).isBetween(900, 1100);
            }
        }

        @Test
        void should_repeat_the_golden_stream_of_a_seed() {
            SplitMix64 random = new SplitMix64(42);
            int[] draws = new int[8];
            for (int i = 0; i < draws.length; i++) {
                draws[i] = random.nextIntByRemainder(10);
            }
            SplitMix64 again = new SplitMix64(42);
            for (int draw : draws) {
                assertThat(again.nextIntByRemainder(10)).isEqualTo(draw);
            }
            // SplitMix64 from 42: the first output is 0xbdd732262feb6e95
            assertThat(new SplitMix64(42).nextLong()).isEqualTo(0xbdd732262feb6e95L);
        }

        @Test
        void should_give_the_same_result_for_the_same_engine_seed() {
            SquareAttack square = Attacks.square().withQueries(20);
            Engine.getInstance().setRandomSeed(3);
            float[] first = run(square).toFloatArray();
            Engine.getInstance().setRandomSeed(3);
            float[] second = run(square).toFloatArray();
            assertThat(second).containsExactly(first);
        }
    }

    @Nested
    class ThreatModelInvariants {
        @Test
        void should_stay_in_the_linf_ball_and_the_bounds_and_never_beat_clean() {
            NDArray adv = run(Attacks.square().withQueries(50));
            assertThat(adv.getShape()).isEqualTo(x.getShape());
            float maxDelta = adv.sub(x).abs().max().getFloat();
            assertThat(maxDelta).isLessThanOrEqualTo((float) EPS + 1e-6f).isGreaterThan(0f);
            assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
            assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
            assertThat(correct(adv)).isLessThan(correct(x));
        }

        @Test
        void should_keep_l2_norms_within_epsilon_and_the_bounds() {
            double eps = 0.5;
            NDArray adv =
                    run(Attacks.square().withThreatModel(ThreatModel.l2(eps)).withQueries(50));
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
            NDArray adv = run(Attacks.square().withQueries(5));
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
        void should_break_more_with_more_queries() {
            Engine.getInstance().setRandomSeed(1);
            int few = correct(run(Attacks.square().withQueries(2)));
            Engine.getInstance().setRandomSeed(1);
            int many = correct(run(Attacks.square().withQueries(100)));
            assertThat(many).isLessThanOrEqualTo(few);
        }
    }

    @Nested
    class Inputs {
        @Test
        void should_reject_inputs_that_are_not_images() {
            try (Model mlp = TestModels.model("mlp", TestModels.mlp(), DataType.FLOAT32)) {
                mlp.getBlock()
                        .initialize(manager, DataType.FLOAT32, new Shape(4, FeatureBox.FEATURES));
                NDArray features = FeatureBox.inputs(manager, 4, 5);
                NDArray labels = manager.create(new long[] {0, 1, 2, 0});
                assertThatIllegalArgumentException()
                        .isThrownBy(
                                () ->
                                        InputAttacks.bind(Attacks.square())
                                                .generate(
                                                        AttackTarget.of(mlp.getBlock()),
                                                        features,
                                                        labels))
                        .withMessageStartingWith("x must be images of shape (B, c, h, w)")
                        .withMessageContaining("but had shape (4, " + FeatureBox.FEATURES + ")");
            }
        }
    }
}
