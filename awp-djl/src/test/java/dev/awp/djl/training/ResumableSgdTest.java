package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.djl.testing.TestModels;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ResumableSgdTest {

    /** A rate that depends on the update count, so that restored step counts matter. */
    static final Tracker RATE = numUpdate -> (float) (0.1 / numUpdate);

    static Optimizer djlSgd(float momentum, float weightDecay) {
        return Optimizer.sgd()
                .setLearningRateTracker(RATE)
                .optMomentum(momentum)
                .optWeightDecays(weightDecay)
                .build();
    }

    static void assertSameWeights(Map<String, float[]> actual, Map<String, float[]> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String name : expected.keySet()) {
            assertThat(actual.get(name)).as(name).isEqualTo(expected.get(name));
        }
    }

    @Nested
    class Stepping {

        @Test
        void should_step_bit_for_bit_like_djls_sgd_with_momentum() {
            Map<String, float[]> djl = OptimizerRuns.straight(djlSgd(0.9f, 5e-4f), 5);
            Map<String, float[]> ours =
                    OptimizerRuns.straight(new ResumableSgd(RATE, 0.9f, 5e-4f), 5);

            assertSameWeights(ours, djl);
        }

        @Test
        void should_step_bit_for_bit_like_djls_sgd_without_momentum() {
            Map<String, float[]> djl = OptimizerRuns.straight(djlSgd(0f, 5e-4f), 5);
            Map<String, float[]> ours =
                    OptimizerRuns.straight(new ResumableSgd(RATE, 0f, 5e-4f), 5);

            assertSameWeights(ours, djl);
        }
    }

    @Nested
    class Resume {

        @Test
        void should_continue_bit_for_bit_with_momentum_after_the_decoded_state_is_freed() {
            Map<String, float[]> straight =
                    OptimizerRuns.straight(new ResumableSgd(RATE, 0.9f, 5e-4f), 7);
            Map<String, float[]> resumed =
                    OptimizerRuns.resumed(
                            new ResumableSgd(RATE, 0.9f, 5e-4f),
                            new ResumableSgd(RATE, 0.9f, 5e-4f),
                            3,
                            4);

            assertSameWeights(resumed, straight);
        }

        @Test
        void should_continue_bit_for_bit_without_momentum() {
            Map<String, float[]> straight =
                    OptimizerRuns.straight(new ResumableSgd(RATE, 0f, 5e-4f), 7);
            Map<String, float[]> resumed =
                    OptimizerRuns.resumed(
                            new ResumableSgd(RATE, 0f, 5e-4f),
                            new ResumableSgd(RATE, 0f, 5e-4f),
                            3,
                            4);

            assertSameWeights(resumed, straight);
        }
    }

    @Nested
    class State {

        @Test
        void should_save_buffers_and_step_counts_by_parameter_name() {
            ResumableSgd sgd = new ResumableSgd(RATE, 0.9f, 0f);
            Engine.getInstance().setRandomSeed(5);
            try (Model model = TestModels.model("a", TestModels.convBn(), DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, sgd, OptimizerRuns.INPUT);
                    NDManager scope = trainer.getManager().newSubManager()) {
                OptimizerRuns.train(trainer, 0, 2);
                NDList saved = sgd.saveState(model.getBlock(), scope);

                // conv weight, BN gamma and beta, linear weight and bias: a buffer and a count each
                List<String> parameters =
                        List.of(
                                model.getBlock().getParameters().keys().stream()
                                        .filter(name -> !name.contains("running"))
                                        .toArray(String[]::new));
                assertThat(parameters).hasSize(5);
                assertThat(saved.stream().map(NDArray::getName).collect(Collectors.toList()))
                        .containsExactlyElementsOf(
                                concat(
                                        parameters,
                                        parameters.stream()
                                                .map(name -> name + "/step")
                                                .collect(Collectors.toList())));
                for (NDArray step : saved.subNDList(5)) {
                    assertThat(step.toLongArray()).containsExactly(2L);
                }
            }
        }

        @Test
        void should_save_only_step_counts_without_momentum() {
            ResumableSgd sgd = new ResumableSgd(RATE, 0f, 0f);
            Engine.getInstance().setRandomSeed(5);
            try (Model model = TestModels.model("a", TestModels.convBn(), DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, sgd, OptimizerRuns.INPUT);
                    NDManager scope = trainer.getManager().newSubManager()) {
                assertThat(ResumableOptimizer.checkpointState(sgd, model.getBlock(), scope))
                        .as("no entry before the first step: an empty NDList cannot be decoded")
                        .isNull();
                OptimizerRuns.train(trainer, 0, 1);
                NDList saved = ResumableOptimizer.checkpointState(sgd, model.getBlock(), scope);

                assertThat(saved).hasSize(5);
                assertThat(saved).allSatisfy(a -> assertThat(a.getName()).endsWith("/step"));
                assertThat(NDList.decode(scope, saved.encode())).hasSize(5);
            }
        }

        @Test
        void should_reject_state_of_another_architecture() {
            ResumableSgd sgd = new ResumableSgd(RATE, 0.9f, 0f);
            try (Model model = TestModels.model("a", TestModels.convBn(), DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, sgd, OptimizerRuns.INPUT);
                    NDManager scope = trainer.getManager().newSubManager()) {
                NDArray stranger = scope.zeros(new Shape(2));
                stranger.setName("nope_weight");
                String conv = model.getBlock().getParameters().keys().get(0);
                NDArray misshapen = scope.zeros(new Shape(2));
                misshapen.setName(conv);

                assertThatThrownBy(() -> sgd.loadState(model.getBlock(), new NDList(stranger)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("must name parameters of the model but was nope");
                assertThatThrownBy(() -> sgd.loadState(model.getBlock(), new NDList(misshapen)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("momentum of " + conv + " must have shape");
            }
        }
    }

    /** The engine facts the restore relies on. */
    @Nested
    class Copies {

        @Test
        void should_find_that_duplicate_is_a_real_copy() {
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray x = manager.create(new float[] {1, 2, 3});
                x.duplicate().addi(100);

                assertThat(x.toFloatArray()).containsExactly(1, 2, 3);
            }
        }

        @Test
        void should_find_that_same_device_to_device_with_copy_shares_memory() {
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                NDArray x = manager.create(new float[] {1, 2, 3});
                x.toDevice(Device.cpu(), true).addi(100);

                // why loadState duplicates instead: if this ever fails, DJL copies here again
                assertThat(x.toFloatArray()).containsExactly(101, 102, 103);
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toList());
    }
}
