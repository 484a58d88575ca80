package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.training.BatchResult;
import org.junit.jupiter.api.Test;

class CustomAttackSnippetTest {

    @Test
    void should_stay_inside_the_threat_model() {
        CustomAttackSnippet.RandomFgsm attack =
                new CustomAttackSnippet.RandomFgsm(8 / 255.0, 4 / 255.0);
        try (Model model = Model.newInstance("m");
                NDManager manager = NDManager.newBaseManager()) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).build());
            model.getBlock().initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            try (Batch batch = SyntheticShapes.test(8, 0).batch(manager, 0, 1, 2, 3, 4, 5, 6, 7)) {
                NDArray x = batch.getData().head();
                NDArray xAdv =
                        attack.generate(
                                AttackTarget.of(model.getBlock()), x, batch.getLabels().head());
                assertThat(xAdv.getShape()).isEqualTo(x.getShape());
                assertThat(xAdv.sub(x).abs().max().getFloat())
                        .isLessThanOrEqualTo(8 / 255f + 1e-6f);
                assertThat(xAdv.min().getFloat()).isGreaterThanOrEqualTo(0f);
                assertThat(xAdv.max().getFloat()).isLessThanOrEqualTo(1f);
            }
        }
    }

    @Test
    void should_reject_a_random_step_larger_than_epsilon() {
        assertThatThrownBy(() -> new CustomAttackSnippet.RandomFgsm(0.01, 0.02))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alpha");
    }

    @Test
    void should_train_with_the_custom_attack_and_awp() {
        BatchResult last = CustomAttackSnippet.trainWithCustomAttack(64);
        assertThat(last.perturbed()).isTrue();
        assertThat(last.loss()).isFinite();
    }
}
