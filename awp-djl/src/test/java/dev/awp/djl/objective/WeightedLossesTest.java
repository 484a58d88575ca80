package dev.awp.djl.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.awp.djl.testing.Fixtures;
import dev.awp.objective.Objectives;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks {@link WeightedLosses} against {@code fixtures/weighted_losses.json}: the weighted means
 * {@code Σ w·ℓ / Σ w} of the per-example PGD-AT, TRADES and MART losses and their gradients,
 * computed in float64 with PyTorch by {@code src/test/python/make_weighted_fixtures.py} on the
 * cases of {@code losses.json}. float64 only differs by the order of operations: {@value #RTOL}
 * relative (absolute below 1).
 */
class WeightedLossesTest {

    static final double RTOL = 1e-10;

    private static final Fixtures.Node WEIGHTED = Fixtures.load("weighted_losses.json");
    private static final Fixtures.Node LOSSES = Fixtures.load("losses.json");

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    static Stream<Arguments> weightings() {
        return LOSSES.nodes("cases").stream()
                .flatMap(
                        c ->
                                WEIGHTED.nodes("cases").stream()
                                        .filter(w -> w.string("name").equals(c.string("name")))
                                        .flatMap(w -> w.nodes("weightings").stream())
                                        .map(
                                                w ->
                                                        Arguments.of(
                                                                Named.of(c.string("name"), c),
                                                                Named.of(w.string("name"), w))));
    }

    private static void close(double actual, double expected) {
        assertThat(actual).isCloseTo(expected, within(RTOL * Math.max(1, Math.abs(expected))));
    }

    private static void close(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i])
                    .as("entry " + i)
                    .isCloseTo(expected[i], within(RTOL * Math.max(1, Math.abs(expected[i]))));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("weightings")
    void should_match_the_reference_weighted_means(Fixtures.Node c, Fixtures.Node w) {
        NDArray clean = c.array(manager, "clean_logits", DataType.FLOAT64);
        NDArray adv = c.array(manager, "adv_logits", DataType.FLOAT64);
        NDArray y = c.array(manager, "labels", DataType.INT64);
        NDArray weights = w.array(manager, "weights", DataType.FLOAT32);

        close(WeightedLosses.crossEntropy(adv, y, weights).getDouble(), w.number("cross_entropy"));
        close(WeightedLosses.trades(clean, adv, y, 6, weights).getDouble(), w.number("trades"));
        close(WeightedLosses.mart(clean, adv, y, 6, weights).getDouble(), w.number("mart"));
        close(
                WeightedLosses.perExampleTrades(clean, adv, y, 6).toDoubleArray(),
                w.doubles("trades_per_example"));
        close(
                WeightedLosses.perExampleMart(clean, adv, y, 6).toDoubleArray(),
                w.doubles("mart_per_example"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("weightings")
    void should_match_the_reference_gradients(Fixtures.Node c, Fixtures.Node w) {
        for (String loss : new String[] {"trades", "mart"}) {
            NDArray clean = c.array(manager, "clean_logits", DataType.FLOAT64);
            NDArray adv = c.array(manager, "adv_logits", DataType.FLOAT64);
            NDArray y = c.array(manager, "labels", DataType.INT64);
            NDArray weights = w.array(manager, "weights", DataType.FLOAT64);
            clean.setRequiresGradient(true);
            adv.setRequiresGradient(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray value =
                        loss.equals("trades")
                                ? WeightedLosses.trades(clean, adv, y, 6, weights)
                                : WeightedLosses.mart(clean, adv, y, 6, weights);
                collector.backward(value);
            }
            close(clean.getGradient().toDoubleArray(), w.doubles(loss + "_grad_clean"));
            close(adv.getGradient().toDoubleArray(), w.doubles(loss + "_grad_adv"));
        }
    }

    @Test
    void should_equal_the_plain_mean_up_to_rounding_with_equal_weights() {
        Fixtures.Node c = LOSSES.nodes("cases").get(0);
        NDArray clean = c.array(manager, "clean_logits", DataType.FLOAT64);
        NDArray adv = c.array(manager, "adv_logits", DataType.FLOAT64);
        NDArray y = c.array(manager, "labels", DataType.INT64);
        NDArray threes = manager.full(y.getShape(), 3f);

        close(
                WeightedLosses.trades(clean, adv, y, 6, threes).getDouble(),
                Losses.trades(clean, adv, y, 6).getDouble());
        close(
                WeightedLosses.mart(clean, adv, y, 6, threes).getDouble(),
                Losses.mart(clean, adv, y, 6).getDouble());
        close(
                WeightedLosses.crossEntropy(adv, y, threes).getDouble(),
                Losses.crossEntropy(adv, y).getDouble());
    }

    @Test
    void should_take_the_weights_through_the_built_in_objectives_and_only_then() {
        Fixtures.Node c = LOSSES.nodes("cases").get(0);
        NDArray clean = c.array(manager, "clean_logits", DataType.FLOAT64);
        NDArray adv = c.array(manager, "adv_logits", DataType.FLOAT64);
        NDArray y = c.array(manager, "labels", DataType.INT64);
        Fixtures.Node w = WEIGHTED.nodes("cases").get(0).nodes("weightings").get(0);
        NDArray weights = w.array(manager, "weights", DataType.FLOAT32);
        TrainingObjective trades = TrainingObjectives.bind(Objectives.trades(6));

        close(trades.loss(clean, adv, y, weights).getDouble(), w.number("trades"));
        // null weights: the plain objective, bit for bit
        assertThat(trades.loss(clean, adv, y, null).getDouble())
                .isEqualTo(Losses.trades(clean, adv, y, 6).getDouble());
        assertThat(
                        TrainingObjectives.bind(Objectives.pgdAt())
                                .loss(null, adv, y, weights)
                                .getDouble())
                .isCloseTo(w.number("cross_entropy"), within(1e-9));
    }

    @Test
    void should_refuse_weights_for_a_custom_objective_without_them() {
        TrainingObjective custom =
                new TrainingObjective() {
                    @Override
                    public NDArray loss(NDArray clean, NDArray adversarial, NDArray labels) {
                        return Losses.crossEntropy(adversarial, labels);
                    }

                    @Override
                    public String name() {
                        return "custom";
                    }

                    @Override
                    public boolean usesCleanInputs() {
                        return false;
                    }
                };
        NDArray logits = manager.zeros(new ai.djl.ndarray.types.Shape(2, 3));
        NDArray y = manager.create(new long[] {0, 1});

        assertThatThrownBy(() -> custom.loss(null, logits, y, manager.ones(y.getShape())))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageStartingWith("the objective custom has no per-example weights");
    }

    @Test
    void should_reject_weights_of_another_shape() {
        NDArray logits = manager.zeros(new ai.djl.ndarray.types.Shape(2, 3));
        NDArray y = manager.create(new long[] {0, 1});

        assertThatIllegalArgumentException()
                .isThrownBy(
                        () ->
                                WeightedLosses.crossEntropy(
                                        logits, y, manager.ones(new ai.djl.ndarray.types.Shape(3))))
                .withMessage("weights must have shape (2) but was (3)");
    }
}
