package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.report.TrainingReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderExampleTest {

    @TempDir Path folder;

    @Test
    void should_train_with_at_awp_on_a_generated_image_folder() throws IOException {
        TrainingReport report =
                ImageFolderExample.runExample(
                        "--folder",
                        folder.toString(),
                        "--images-per-class",
                        "4",
                        "--epochs",
                        "2",
                        "--batch-size",
                        "12",
                        "--width",
                        "2",
                        "--quiet");

        try (Stream<Path> files = Files.walk(folder.resolve("train"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(12);
        }
        assertThat(report.epochs()).hasSize(2);
        assertThat(report.epochs().get(1).awpActive()).isTrue();
        assertThat(report.epochs().get(1).robustAccuracy().orElseThrow().total()).isEqualTo(3);
    }
}
