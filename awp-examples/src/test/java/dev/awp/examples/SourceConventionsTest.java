package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Conventions of style.md that the compiler does not check, over the main sources of every module
 * (the tests run in {@code awp-examples}, beside the other modules): numbers are formatted with
 * {@code Locale.ROOT}, so output and messages do not change with the user's locale (a German JVM
 * would print {@code 0,5}); every package has a {@code package-info.java} overview.
 */
class SourceConventionsTest {

    private static final List<Path> SOURCES =
            List.of(
                    Path.of("../awp-api/src/main/java"),
                    Path.of("../awp-djl/src/main/java"),
                    Path.of("../awp-spark/src/main/java"),
                    Path.of("src/main/java"));

    private static final Pattern FORMAT = Pattern.compile("(String\\.format|\\.printf)\\(\\s*");

    private static List<Path> javaFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path root : SOURCES) {
            assertThat(root).as("source root").isDirectory();
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void every_formatted_string_should_use_locale_root() throws IOException {
        List<String> offenders = new ArrayList<>();
        List<Path> files = javaFiles();
        for (Path file : files) {
            String text = Files.readString(file);
            Matcher m = FORMAT.matcher(text);
            while (m.find()) {
                if (!text.startsWith("Locale.ROOT", m.end())) {
                    long line = text.substring(0, m.start()).lines().count();
                    offenders.add(file + ":" + line);
                }
            }
        }
        assertThat(files).hasSizeGreaterThan(100);
        assertThat(offenders).as("String.format/printf without Locale.ROOT").isEmpty();
    }

    @Test
    void every_package_should_have_an_overview() throws IOException {
        List<Path> missing = new ArrayList<>();
        javaFiles().stream()
                .filter(file -> !file.getFileName().toString().equals("module-info.java"))
                .map(Path::getParent)
                .distinct()
                .filter(dir -> !Files.exists(dir.resolve("package-info.java")))
                .forEach(missing::add);
        assertThat(missing).as("packages without package-info.java").isEmpty();
    }
}
