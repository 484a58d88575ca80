package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResumableSgdTest {

    static final Shape INPUT = new Shape(8, 3, 6, 6);

    /** Trains the conv-BN test model for {@code steps} steps with a fixed batch. */
    static Map<String, float[]> train(Optimizer optimizer, LoopLearningRate rate, int steps) {
        Engine.getInstance().setRandomSeed(5);
        try (Model model = TestModels.model("sgd", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, optimizer, INPUT);
                NDManager data = trainer.getManager().newSubManager()) {
            NDArray x = data.randomUniform(0f, 1f, INPUT);
            NDArray y = data.create(new long[] {0, 1, 2, 0, 1, 2, 0, 1});
            for (int step = 0; step < steps; step++) {
                if (rate != null) {
                    rate.set(0.1 / (step + 1));
                }
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(x)).head();
                    collector.backward(Losses.perExampleCrossEntropy(logits, y).mean());
                }
                trainer.step();
            }
            return TinyRuns.weights(model);
        }
    }

    @Test
    void should_step_bit_for_bit_like_djls_sgd() {
        LoopLearningRate rate = new LoopLearningRate(0.1);
        Tracker sameRates = numUpdate -> (float) (0.1 / numUpdate);
        Map<String, float[]> djl =
                train(
                        Optimizer.sgd()
                                .setLearningRateTracker(sameRates)
                                .optMomentum(0.9f)
                                .optWeightDecays(5e-4f)
                                .build(),
                        null,
                        5);
        Map<String, float[]> ours = train(new ResumableSgd(rate, 0.9f, 5e-4f), rate, 5);

        assertThat(ours.keySet()).containsExactlyElementsOf(djl.keySet());
        for (String name : djl.keySet()) {
            assertThat(ours.get(name)).as(name).isEqualTo(djl.get(name));
        }
    }

    @Test
    void should_restore_its_momentum_buffers_by_parameter_name() {
        LoopLearningRate rate = new LoopLearningRate(0.1);
        ResumableSgd sgd = new ResumableSgd(rate, 0.9f, 0f);
        Engine.getInstance().setRandomSeed(5);
        try (Model model = TestModels.model("a", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, sgd, INPUT);
                Model other = TestModels.model("b", TestModels.convBn(), DataType.FLOAT32);
                Trainer otherTrainer =
                        TestModels.trainer(other, new ResumableSgd(rate, 0.9f, 0f), INPUT);
                NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = scope.randomUniform(0f, 1f, INPUT);
            NDArray y = scope.create(new long[] {0, 1, 2, 0, 1, 2, 0, 1});
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).head();
                collector.backward(Losses.perExampleCrossEntropy(logits, y).mean());
            }
            trainer.step();
            NDList saved = sgd.saveState(model.getBlock(), scope);
            // conv weight, BN gamma and beta, linear weight and bias
            assertThat(saved).hasSize(5);
            byte[] encoded = saved.encode();

            ResumableSgd restored = new ResumableSgd(rate, 0.9f, 0f);
            restored.loadState(other.getBlock(), NDList.decode(scope, encoded));
            NDList again = restored.saveState(other.getBlock(), scope);
            assertThat(again).hasSize(5);
            for (int i = 0; i < saved.size(); i++) {
                assertThat(again.get(i).getName()).isEqualTo(saved.get(i).getName());
                assertThat(again.get(i).toFloatArray()).isEqualTo(saved.get(i).toFloatArray());
            }
            assertThat(otherTrainer).isNotNull();
        }
    }
}
