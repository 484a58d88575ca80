package dev.awp.examples.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java half of the cross-check, on files shaped like the Python half's (no Python). */
class TorchScriptCrossCheckTest {

    @TempDir Path directory;

    @Test
    void should_write_the_files_the_python_half_compares() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/dev/awp/examples/res_cnn_32.pt")) {
            Files.copy(in, directory.resolve("model.pt"));
        }
        Random random = new Random(0);
        images(random, "test_x", 4);
        labels(random, "test_y", 4);
        images(random, "batch_x", 4);
        labels(random, "batch_y", 4);
        images(random, "batch_x_adv", 4);

        TorchScriptCrossCheck.runExample(directory);

        assertThat(directory.resolve("java_logits")).content().startsWith("4 10\n");
        assertThat(directory.resolve("java_pgd20")).content().startsWith("4\n");
        assertThat(directory.resolve("java_pgd20_x_adv")).content().startsWith("4 3 32 32\n");
        assertThat(directory.resolve("java_after_step.pt")).isNotEmptyFile();
    }

    private void images(Random random, String name, int count) throws Exception {
        write(name, count + " 3 32 32", count * 3 * 32 * 32, random::nextFloat);
    }

    private void labels(Random random, String name, int count) throws Exception {
        write(name, Integer.toString(count), count, () -> (float) random.nextInt(10));
    }

    private void write(String name, String shape, int size, FloatSupplier values) throws Exception {
        String data =
                IntStream.range(0, size)
                        .mapToObj(i -> String.format(Locale.ROOT, "%s", values.get()))
                        .collect(Collectors.joining(" "));
        Files.writeString(
                directory.resolve(name), shape + "\n" + data + "\n", StandardCharsets.UTF_8);
    }

    private interface FloatSupplier {
        float get();
    }
}
