package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.training.BatchResult;
import org.junit.jupiter.api.Test;

class CustomObjectiveSnippetTest {

    @Test
    void should_mix_the_clean_and_adversarial_cross_entropies() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray clean = manager.create(new float[][] {{2, 0, 0}, {0, 1, 0}});
            NDArray adv = manager.create(new float[][] {{0, 1, 0}, {0, 0, 3}});
            NDArray y = manager.create(new long[] {0, 1});
            double expected =
                    0.25 * Losses.crossEntropy(clean, y).getFloat()
                            + 0.75 * Losses.crossEntropy(adv, y).getFloat();
            double mixed =
                    new CustomObjectiveSnippet.MixedCrossEntropy(0.25)
                            .loss(clean, adv, y)
                            .getFloat();
            assertThat(mixed).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void should_train_with_the_custom_objective_and_awp() {
        BatchResult last = CustomObjectiveSnippet.trainWithCustomObjective(64);
        assertThat(last.perturbed()).isTrue();
        assertThat(last.loss()).isFinite();
    }
}
