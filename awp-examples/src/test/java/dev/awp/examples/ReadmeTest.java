package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.djl.training.BatchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReadmeTest {

    static final Path ROOT = Path.of("..");

    /** The lines between {@code // tag::name[]} and {@code // end::name[]}, de-indented. */
    static String region(Path source, String name) throws IOException {
        String text = Files.readString(source);
        String start = "// tag::" + name + "[]\n";
        String body = text.substring(text.indexOf(start) + start.length());
        body = body.substring(0, body.indexOf("// end::" + name + "[]"));
        int indent =
                body.lines()
                        .filter(l -> !l.isBlank())
                        .mapToInt(l -> l.length() - l.stripLeading().length())
                        .min()
                        .orElse(0);
        return body.lines()
                .map(l -> l.length() >= indent ? l.substring(indent) : l.strip())
                .collect(Collectors.joining("\n"));
    }

    @Test
    void should_show_the_compiled_usage_example_verbatim() throws IOException {
        String snippet =
                region(
                        ROOT.resolve(
                                "awp-examples/src/main/java/dev/awp/examples/ReadmeExample.java"),
                        "readme");
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(snippet.lines().count()).isGreaterThan(10);
        assertThat(readme)
                .as("README.md must contain the readme region of ReadmeExample.java verbatim")
                .contains(snippet);
    }

    @Test
    void should_run_the_readme_example() {
        BatchResult last = ReadmeExample.runExample("--train", "256");
        assertThat(last.perturbed()).isTrue();
        assertThat(last.loss()).isFinite();
    }
}
