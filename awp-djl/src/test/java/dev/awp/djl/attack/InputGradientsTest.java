package dev.awp.djl.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.dataset.Batch;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.evaluation.TrainedModels;
import dev.awp.djl.internal.Logits;
import dev.awp.djl.internal.RetainedBackward;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every class's input gradient, as FAB's linearization needs it. */
class InputGradientsTest {

    @Test
    void perClass_should_equal_each_class_gradient_taken_alone_and_leave_no_gradient_behind() {
        Model model = TrainedModels.shapes();
        AttackTarget target = AttackTarget.of(model.getBlock());
        try (NDManager manager = model.getNDManager().newSubManager();
                Batch batch =
                        TrainedModels.shapesTest()
                                .batch(manager, IntStream.range(0, 6).toArray())) {
            NDArray x = batch.getData().head();
            int batchSize = 6;
            int rowLength = Math.toIntExact(x.size());
            NDArray logits = target.logits(x, BatchNormMode.EVAL);
            int classes = Math.toIntExact(logits.getShape().get(1));
            assertThat(RetainedBackward.isAvailable(manager.getEngine()))
                    .as("the suite runs on PyTorch, so the retained-graph path is the one tested")
                    .isTrue();

            InputGradients.PerClass perClass =
                    InputGradients.perClass(target, x, BatchNormMode.EVAL, classes);

            assertThat(perClass.logits())
                    .containsExactly(
                            logits.toType(DataType.FLOAT32, false).toFloatArray(),
                            org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(perClass.gradients()).hasSize(classes * rowLength);
            for (int k = 0; k < classes; k++) {
                NDArray classIndex = manager.full(new ai.djl.ndarray.types.Shape(batchSize), k);
                float[] alone =
                        InputGradients.of(
                                        target,
                                        x,
                                        BatchNormMode.EVAL,
                                        out -> Logits.pick(out, classIndex).sum())
                                .toType(DataType.FLOAT32, false)
                                .toFloatArray();
                float[] fromPerClass = new float[rowLength];
                System.arraycopy(perClass.gradients(), k * rowLength, fromPerClass, 0, rowLength);
                float scale = 0;
                for (float v : alone) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertThat(scale).as("class %s has a gradient", k).isPositive();
                assertThat(fromPerClass)
                        .as("class %s", k)
                        .containsExactly(alone, org.assertj.core.data.Offset.offset(1e-5f * scale));
            }
            assertThat(x.hasGradient()).as("x must not be left requiring a gradient").isFalse();
        }
    }
}
