package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RobustOverfittingLabTest {

    @Test
    void should_write_the_report_plots_and_json(@TempDir Path dir) throws Exception {
        Path report =
                RobustOverfittingLab.runExample(
                        "--seeds",
                        "1",
                        "--train",
                        "64",
                        "--test",
                        "32",
                        "--epochs",
                        "2",
                        "--eval-every",
                        "1",
                        "--landscape-points",
                        "3",
                        "--output",
                        dir.toString());
        String text = Files.readString(report);
        assertThat(text).contains("| PGD-AT |").contains("| AT-AWP |");
        assertThat(dir.resolve("lab.json")).isNotEmptyFile();
        for (String name :
                new String[] {"curves.png", "curves.svg", "landscape.png", "landscape.svg"}) {
            assertThat(dir.resolve(name)).isNotEmptyFile();
        }
        assertThat(Files.readString(dir.resolve("lab.json"))).contains("\"method\": \"AT-AWP\"");
    }

    @Test
    void should_run_on_the_embedded_fashion_mnist_at_its_epsilon(@TempDir Path dir)
            throws Exception {
        Path report =
                RobustOverfittingLab.runExample(
                        "--dataset",
                        "fashion-mnist",
                        "--seeds",
                        "1",
                        "--train",
                        "40",
                        "--test",
                        "20",
                        "--epochs",
                        "1",
                        "--landscape-points",
                        "3",
                        "--output",
                        dir.toString());
        String text = Files.readString(report);
        assertThat(text).contains("Fashion-MNIST (embedded subset), L∞ ε = 0.1");
        assertThat(Files.readString(dir.resolve("lab.json"))).contains("\"method\": \"PGD-AT\"");
    }
}
