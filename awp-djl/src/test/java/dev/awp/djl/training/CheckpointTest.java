package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir Path dir;

    static Checkpoint.Content entry(String name, String text) {
        return zip -> {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(text.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        };
    }

    List<String> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    static String read(Path file, String entry) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return new String(
                    zip.getInputStream(zip.getEntry(entry)).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void should_replace_the_previous_checkpoint_and_leave_no_temporary_file() throws IOException {
        Path target = dir.resolve("last.ckpt");
        Checkpoint.write(target, entry("a", "first"));
        Checkpoint.write(target, entry("a", "second"));

        assertThat(files()).containsExactly("last.ckpt");
        assertThat(read(target, "a")).isEqualTo("second");
    }

    @Test
    void should_keep_the_previous_checkpoint_intact_when_writing_fails() throws IOException {
        Path target = dir.resolve("last.ckpt");
        Checkpoint.write(target, entry("a", "first"));
        Checkpoint.Content failing =
                zip -> {
                    entry("a", "x".repeat(100_000)).writeTo(zip);
                    // a partial archive exists now, under a temporary name only
                    try (Stream<Path> list = Files.list(dir)) {
                        assertThat(list.filter(p -> p.getFileName().toString().startsWith(".")))
                                .hasSize(1);
                    }
                    assertThat(read(target, "a")).isEqualTo("first");
                    throw new IOException("disk full");
                };

        assertThatThrownBy(() -> Checkpoint.write(target, failing)).hasMessage("disk full");
        assertThat(files()).containsExactly("last.ckpt");
        assertThat(read(target, "a")).isEqualTo("first");
    }

    @Test
    void should_round_trip_the_state() {
        Checkpoint.State state =
                new Checkpoint.State(
                        2,
                        11,
                        3,
                        16,
                        "SGD",
                        Optional.of(1),
                        Optional.of(dev.awp.report.Accuracy.of(3, 16)),
                        1.25,
                        List.of(),
                        0.25,
                        2);
        assertThat(Checkpoint.State.fromJson(state.toJson())).isEqualTo(state);
    }
}
