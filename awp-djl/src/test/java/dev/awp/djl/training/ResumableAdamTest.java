package dev.awp.djl.training;

import static dev.awp.djl.training.ResumableSgdTest.assertSameWeights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ResumableAdamTest {

    /** A rate that depends on the update count, so that restored step counts matter twice. */
    static final Tracker RATE = numUpdate -> (float) (0.01 / Math.sqrt(numUpdate));

    static final float BETA1 = 0.8f;
    static final float BETA2 = 0.99f;
    static final float EPSILON = 1e-7f;
    static final float WEIGHT_DECAY = 0.05f;

    static ResumableAdam adam() {
        return ResumableAdam.adam(RATE, BETA1, BETA2, EPSILON, WEIGHT_DECAY);
    }

    static ResumableAdam adamW() {
        return ResumableAdam.adamW(RATE, BETA1, BETA2, EPSILON, WEIGHT_DECAY);
    }

    @Nested
    class Stepping {

        @Test
        void should_step_bit_for_bit_like_djls_adam() {
            Optimizer djl =
                    Optimizer.adam()
                            .optLearningRateTracker(RATE)
                            .optBeta1(BETA1)
                            .optBeta2(BETA2)
                            .optEpsilon(EPSILON)
                            .optWeightDecays(WEIGHT_DECAY)
                            .build();

            Map<String, float[]> expected = OptimizerRuns.straight(djl, 6);
            Map<String, float[]> actual = OptimizerRuns.straight(adam(), 6);

            assertSameWeights(actual, expected);
        }

        @Test
        void should_step_bit_for_bit_like_djls_adamw() {
            Optimizer djl =
                    Optimizer.adamW()
                            .optLearningRateTracker(RATE)
                            .optBeta1(BETA1)
                            .optBeta2(BETA2)
                            .optEpsilon(EPSILON)
                            .optWeightDecays(WEIGHT_DECAY)
                            .build();

            Map<String, float[]> expected = OptimizerRuns.straight(djl, 6);
            Map<String, float[]> actual = OptimizerRuns.straight(adamW(), 6);

            assertSameWeights(actual, expected);
        }

        @Test
        void should_differ_between_adam_and_adamw() {
            Map<String, float[]> adam = OptimizerRuns.straight(adam(), 2);
            Map<String, float[]> adamW = OptimizerRuns.straight(adamW(), 2);
            String conv = adam.keySet().iterator().next();

            assertThat(adamW.get(conv)).isNotEqualTo(adam.get(conv));
        }
    }

    @Nested
    class Resume {

        @Test
        void should_continue_adam_bit_for_bit_after_the_decoded_state_is_freed() {
            Map<String, float[]> straight = OptimizerRuns.straight(adam(), 7);
            Map<String, float[]> resumed = OptimizerRuns.resumed(adam(), adam(), 3, 4);

            assertSameWeights(resumed, straight);
        }

        @Test
        void should_continue_adamw_bit_for_bit_after_the_decoded_state_is_freed() {
            Map<String, float[]> straight = OptimizerRuns.straight(adamW(), 7);
            Map<String, float[]> resumed = OptimizerRuns.resumed(adamW(), adamW(), 3, 4);

            assertSameWeights(resumed, straight);
        }
    }

    @Nested
    class State {

        @Test
        void should_save_moments_and_step_counts_by_parameter_name() {
            ResumableAdam adam = adam();
            Engine.getInstance().setRandomSeed(5);
            try (Model model = TestModels.model("a", TestModels.convBn(), DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, adam, OptimizerRuns.INPUT);
                    NDManager scope = trainer.getManager().newSubManager()) {
                OptimizerRuns.train(trainer, 0, 3);
                NDList saved = adam.saveState(model.getBlock(), scope);
                String conv = model.getBlock().getParameters().keys().get(0);

                // conv weight, BN gamma and beta, linear weight and bias: two moments + a count
                assertThat(saved).hasSize(15);
                assertThat(saved.get(0).getName()).isEqualTo(conv + "/mean");
                assertThat(saved.get(1).getName()).isEqualTo(conv + "/variance");
                assertThat(saved.get(10).getName()).isEqualTo(conv + "/step");
                assertThat(saved.get(10).toLongArray()).containsExactly(3L);
                NDArray variance = saved.get(1);
                assertThat(variance.gte(0).all().getBoolean()).isTrue();
                assertThat(variance.sum().getFloat()).isPositive();
            }
        }

        @Test
        void should_reject_names_that_are_no_moment_or_step() {
            ResumableAdam adam = adam();
            try (Model model = TestModels.model("a", TestModels.convBn(), DataType.FLOAT32);
                    Trainer trainer = TestModels.trainer(model, adam, OptimizerRuns.INPUT);
                    NDManager scope = trainer.getManager().newSubManager()) {
                String conv = model.getBlock().getParameters().keys().get(0);
                NDArray bare = scope.zeros(TestModels.parameter(model.getBlock(), conv).getShape());
                bare.setName(conv);
                NDArray misshapen = scope.zeros(new Shape(2));
                misshapen.setName(conv + "/mean");
                NDArray lonely = bare.duplicate();
                lonely.setName(conv + "/mean");

                assertThatThrownBy(() -> adam.loadState(model.getBlock(), new NDList(bare)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("must end with /mean, /variance or /step but was");
                assertThatThrownBy(() -> adam.loadState(model.getBlock(), new NDList(misshapen)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(conv + "/mean must have shape");
                assertThatThrownBy(() -> adam.loadState(model.getBlock(), new NDList(lonely)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("a mean and a variance for every parameter");
            }
        }

        @Test
        void should_reject_betas_outside_zero_to_one() {
            assertThatThrownBy(() -> ResumableAdam.adam(RATE, 1f, BETA2, EPSILON, 0f))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("beta1 must be in [0, 1) but was 1.0");
        }
    }
}
