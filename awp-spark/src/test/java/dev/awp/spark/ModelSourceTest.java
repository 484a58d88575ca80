package dev.awp.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.torchscript.TorchScriptClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceTest {

    /** awp-djl's TorchScript fixture: 3×8×8 inputs, 4 classes, with PyTorch's logits. */
    private static final Path FIXTURES =
            Path.of("../awp-djl/src/test/resources/dev/awp/djl/torchscript");

    @TempDir Path temp;

    @Test
    void should_load_a_torchscript_file_that_gives_pytorchs_logits() throws IOException {
        Path file = temp.resolve("small_res_cnn.pt");
        Files.copy(FIXTURES.resolve("small_res_cnn.pt"), file);
        List<float[]> golden = new ArrayList<>();
        for (String line : Files.readAllLines(FIXTURES.resolve("small_res_cnn_golden.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] tokens = line.trim().split(" ");
                float[] row = new float[tokens.length];
                for (int i = 0; i < tokens.length; i++) {
                    row[i] = Float.parseFloat(tokens[i]);
                }
                golden.add(row);
            }
        }
        try (Model model = ModelSource.torchScript(file).load();
                NDManager manager = NDManager.newBaseManager()) {
            assertThat(model.getBlock()).isInstanceOf(TorchScriptClassifier.class);
            NDArray x = manager.create(golden.get(0), new Shape(2, 3, 8, 8));
            float[] logits =
                    AttackTarget.of(model.getBlock()).logits(x, BatchNormMode.EVAL).toFloatArray();
            float[] expected = golden.get(1);
            assertThat(logits).hasSize(8);
            for (int i = 0; i < logits.length; i++) {
                assertThat(logits[i]).isCloseTo(expected[i], within(1e-5f));
            }
        }
    }

    @Test
    void should_key_a_source_by_its_files_so_that_a_replaced_model_is_loaded_again()
            throws IOException {
        Path file = temp.resolve("m.pt");
        Files.copy(FIXTURES.resolve("small_res_cnn.pt"), file);
        ModelSource source = ModelSource.torchScript(file);
        String before = source.cacheKey();
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000L));
        assertThat(source.cacheKey()).isNotEqualTo(before).contains(file.toString());
    }

    @Test
    void should_name_a_missing_torchscript_file() {
        Path missing = temp.resolve("absent.pt");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ModelSource.torchScript(missing).load())
                .withMessage(
                        "model file must be a TorchScript file every executor reads but "
                                + missing.toAbsolutePath()
                                + " is not");
    }

    @Test
    void should_name_a_block_factory_that_is_not_one() {
        assertThatIllegalArgumentException()
                .isThrownBy(
                        () ->
                                ModelSource.parameters(
                                                SparkFixtures.modelDirectory(),
                                                SparkFixtures.MODEL_NAME,
                                                String.class.getName())
                                        .load())
                .withMessageContaining(
                        "blockFactory must name a ai.djl.nn.BlockFactory but java.lang.String is"
                                + " not one");
    }
}
