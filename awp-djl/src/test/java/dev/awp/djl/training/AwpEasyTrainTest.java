package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import dev.awp.attack.Attacks;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.testing.TestModels;
import dev.awp.objective.Objective;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AwpEasyTrainTest {

    static final Shape INPUT = new Shape(16, 3, 6, 6);

    /** A fixed, learnable batch: the label is the brightest colour channel. */
    static Batch batch(NDManager manager) {
        NDManager batchManager = manager.newSubManager();
        NDArray x = batchManager.randomUniform(0f, 1f, INPUT);
        NDArray y = x.mean(new int[] {3}).mean(new int[] {2}).argMax(1);
        return new Batch(batchManager, new NDList(x), new NDList(y), 16, null, null, 0, 1);
    }

    /** The engine's system manager: every live array is below it. */
    static NDManager root(NDManager manager) {
        NDManager root = manager;
        while (root.getParentManager() != null && root.getParentManager() != root) {
            root = root.getParentManager();
        }
        return root;
    }

    static Stream<Arguments> objectives() {
        return Stream.of(
                Arguments.of("PGD-AT", Objectives.pgdAt()),
                Arguments.of("TRADES", Objectives.trades()),
                Arguments.of("MART", Objectives.mart()));
    }

    @Nested
    class Objectives_ {

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.awp.djl.training.AwpEasyTrainTest#objectives")
        void should_train_with_awp_and_reduce_the_loss(String name, Objective objective) {
            Engine.getInstance().setRandomSeed(17);
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            TestModels.sgd(0.05f, 0.9f, 5e-4f), WeightPerturbation.of(0.01));
            try (Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, awp, INPUT);
                    Batch batch = batch(trainer.getManager())) {
                BatchResult first = null;
                BatchResult last = null;
                for (int step = 0; step < 30; step++) {
                    last = AwpEasyTrain.trainStep(trainer, awp, Attacks.pgd(2), objective, batch);
                    if (first == null) {
                        first = last;
                    }
                    assertThat(last.perturbed()).isTrue();
                    assertThat(last.size()).isEqualTo(16);
                    assertThat(Double.isFinite(last.loss())).isTrue();
                }
                assertThat(last.loss()).as(name).isLessThan(first.loss());
            }
        }
    }

    @Nested
    class Labels {

        BatchResult firstStep(Function<NDArray, NDArray> labels) {
            Engine.getInstance().setRandomSeed(29);
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            TestModels.sgd(0.05f, 0.9f, 5e-4f), WeightPerturbation.of(0.01));
            try (Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, awp, INPUT);
                    Batch batch = batch(trainer.getManager());
                    Batch shaped =
                            new Batch(
                                    batch.getManager(),
                                    batch.getData(),
                                    new NDList(labels.apply(batch.getLabels().head())),
                                    16,
                                    null,
                                    null,
                                    0,
                                    1)) {
                Engine.getInstance().setRandomSeed(31);
                return AwpEasyTrain.trainStep(
                        trainer, awp, Attacks.pgd(2), Objectives.pgdAt(), shaped);
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.awp.djl.training.AwpEasyTrainTest#labelShapes")
        void should_give_the_same_accuracy_and_loss_as_int64_vector_labels(
                String name, Function<NDArray, NDArray> labels) {
            BatchResult vector = firstStep(y -> y);
            BatchResult other = firstStep(labels);

            assertThat(other.adversarialCorrect()).isEqualTo(vector.adversarialCorrect());
            assertThat(other.adversarialCorrect()).isBetween(0L, 16L);
            assertThat(other.size()).isEqualTo(16);
            assertThat(other.loss()).isEqualTo(vector.loss());
        }
    }

    static Stream<Arguments> labelShapes() {
        return Stream.of(
                Arguments.of("(B, 1) int64", (Function<NDArray, NDArray>) y -> y.reshape(16, 1)),
                Arguments.of(
                        "(B) float32 (DJL's Mnist, Cifar10)",
                        (Function<NDArray, NDArray>) y -> y.toType(DataType.FLOAT32, false)),
                Arguments.of(
                        "(B, 1) int32",
                        (Function<NDArray, NDArray>)
                                y -> y.toType(DataType.INT32, false).reshape(16, 1)));
    }

    @Nested
    class Memory {

        @Test
        void should_not_leak_native_arrays_over_60_steps() {
            Engine.getInstance().setRandomSeed(23);
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            TestModels.sgd(0.05f, 0.9f, 5e-4f), WeightPerturbation.of(0.01));
            try (Model model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, awp, INPUT);
                    Batch batch = batch(trainer.getManager())) {
                NDManager system = root(trainer.getManager());
                // warm up: momentum states and v buffers are created once, on the first steps
                for (int step = 0; step < 3; step++) {
                    AwpEasyTrain.trainStep(
                            trainer, awp, Attacks.pgd(2), Objectives.trades(), batch);
                }
                int before = system.getManagedArrays().size();
                for (int step = 0; step < 60; step++) {
                    AwpEasyTrain.trainStep(
                            trainer, awp, Attacks.pgd(2), Objectives.trades(), batch);
                }
                int after = system.getManagedArrays().size();
                assertThat(after).as("live NDArrays after 60 steps").isEqualTo(before);
            }
        }
    }
}
