package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.model.SmallCnn;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoAttackSnippetTest {

    @TempDir Path directory;

    /**
     * Runs the snippet on 8 images labelled so that the untrained model gets every one wrong: the
     * full-length attacks (5,000 Square queries) then have nothing to attack, and the test stays
     * fast; the cascade itself is tested in awp-djl.
     */
    @Test
    void should_run_the_standard_cascade_and_keep_its_state() {
        try (Model model = Model.newInstance("tiny");
                NDManager manager = NDManager.newBaseManager()) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).optWidth(4).build());
            model.getBlock()
                    .initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
            byte[] pixels = new byte[8 * ImageDataset.IMAGE_BYTES];
            new Random(3).nextBytes(pixels);
            NDArray x =
                    manager.create(pixels, new Shape(8, 3, 32, 32))
                            .toType(DataType.FLOAT32, false)
                            .div(255f);
            long[] predicted =
                    model.getBlock()
                            .forward(new ParameterStore(manager, false), new NDList(x), false)
                            .head()
                            .argMax(1)
                            .toLongArray();
            int[] wrong = new int[8];
            for (int i = 0; i < 8; i++) {
                wrong[i] = (int) ((predicted[i] + 1) % 10);
            }
            Path state = directory.resolve("state.json");
            RobustnessReport report =
                    AutoAttackSnippet.evaluate(
                            model.getBlock(),
                            ImageDataset.of("wrong labels", pixels, wrong, 10),
                            8,
                            state);
            assertThat(report.attacks())
                    .extracting(AttackResult::name)
                    .containsExactly("APGD-CE", "APGD-T", "FAB-T", "Square");
            assertThat(report.cleanAccuracy().correct()).isZero();
            assertThat(report.brokenBy()).hasSize(8).containsOnly(RobustnessReport.CLEAN_ERROR);
            assertThat(state).exists();
        }
    }
}
