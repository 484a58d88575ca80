package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportSyntheticShapesTest {

    @Test
    void writesTheDatasetsBytesInCifarRecords(@TempDir Path dir) throws Exception {
        ExportSyntheticShapes.runExample(
                "--output", dir.toString(), "--train", "12", "--test", "7", "--seed", "3");
        byte[] train = Files.readAllBytes(dir.resolve("train.bin"));
        byte[] test = Files.readAllBytes(dir.resolve("test.bin"));
        assertThat(train).hasSize(12 * 3073);
        assertThat(test).hasSize(7 * 3073);
        ImageDataset expected = SyntheticShapes.test(7, 3);
        for (int i = 0; i < 7; i++) {
            assertThat(test[i * 3073] & 0xff).isEqualTo(expected.label(i));
            assertThat(Arrays.copyOfRange(test, i * 3073 + 1, (i + 1) * 3073))
                    .isEqualTo(expected.image(i));
        }
        assertThat(Arrays.copyOfRange(train, 1, 3073))
                .isEqualTo(SyntheticShapes.train(1, 3).image(0));
    }

    @Test
    void requiresAnOutputFolder() {
        assertThatThrownBy(ExportSyntheticShapes::runExample)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--output");
    }
}
