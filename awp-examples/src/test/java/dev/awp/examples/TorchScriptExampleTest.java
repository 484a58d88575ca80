package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchScriptExampleTest {

    @TempDir Path directory;

    @Test
    void should_evaluate_fine_tune_and_export_a_torchscript_model() throws Exception {
        // res_cnn_32.pt: written by torchscript_models.py (a copy of awp-djl's test fixture)
        Path model = directory.resolve("res_cnn_32.pt");
        try (InputStream in = getClass().getResourceAsStream("res_cnn_32.pt")) {
            Files.copy(in, model);
        }
        Path output = directory.resolve("out/fine-tuned.pt");
        TorchScriptExample.Result result =
                TorchScriptExample.runExample(
                        "--model",
                        model.toString(),
                        "--output",
                        output.toString(),
                        "--epochs",
                        "1",
                        "--train",
                        "64",
                        "--test",
                        "16");

        assertThat(result.before().attacks()).hasSize(2);
        assertThat(result.after().attacks()).hasSize(2);
        assertThat(result.exported()).isEqualTo(output).exists();
        try (Model original = Model.newInstance("original", "PyTorch");
                Model reloaded = Model.newInstance("reloaded", "PyTorch")) {
            original.load(directory, "res_cnn_32.pt", Map.of("trainParam", "true"));
            reloaded.load(output.getParent(), "fine-tuned.pt", Map.of("trainParam", "true"));
            float[] before = fcWeight(original);
            float[] after = fcWeight(reloaded);
            assertThat(after).hasSameSizeAs(before).isNotEqualTo(before);
        }
    }

    private static float[] fcWeight(Model model) {
        return model.getBlock().getParameters().get("fc.weight").getArray().toFloatArray();
    }
}
