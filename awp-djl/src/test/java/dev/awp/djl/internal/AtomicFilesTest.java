package dev.awp.djl.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir Path dir;

    private List<String> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Nested
    class Write {
        @Test
        void should_write_bytes_and_leave_no_temporary_file() throws IOException {
            Path target = dir.resolve("state.json");

            AtomicFiles.write(target, new byte[] {1, 2, 3});

            assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
            assertThat(files()).containsExactly("state.json");
        }

        @Test
        void should_write_a_string_in_utf8_over_an_existing_file() throws IOException {
            Path target = dir.resolve("report.json");
            Files.writeString(target, "old content, longer than the new one");

            AtomicFiles.writeString(target, "ε = 8/255");

            assertThat(Files.readString(target, UTF_8)).isEqualTo("ε = 8/255");
            assertThat(files()).containsExactly("report.json");
        }

        @Test
        void should_create_missing_folders() throws IOException {
            Path target = dir.resolve("a/b/plot.svg");

            AtomicFiles.write(target, out -> out.write("<svg/>".getBytes(UTF_8)));

            assertThat(Files.readString(target)).isEqualTo("<svg/>");
        }

        @Test
        void should_write_a_relative_target() throws IOException {
            Path target = dir.resolve("relative.txt");
            Path relative = Path.of("").toAbsolutePath().relativize(target);

            AtomicFiles.writeString(relative, "x");

            assertThat(Files.readString(target)).isEqualTo("x");
        }

        @Test
        void should_give_a_file_writer_an_empty_sibling_temporary_file() throws IOException {
            Path target = dir.resolve("last.ckpt");
            List<Path> seen = new ArrayList<>();

            AtomicFiles.writeFile(
                    target,
                    temporary -> {
                        seen.add(temporary);
                        assertThat(temporary).isEmptyFile();
                        Files.writeString(temporary, "sealed");
                    });

            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).getParent()).isEqualTo(dir.toAbsolutePath());
            assertThat(seen.get(0).getFileName().toString())
                    .matches("\\.last\\.ckpt\\.[0-9]+\\.tmp");
            assertThat(seen.get(0)).doesNotExist();
            assertThat(Files.readString(target)).isEqualTo("sealed");
        }

        @Test
        void should_keep_the_previous_file_and_delete_the_temporary_file_when_writing_fails()
                throws IOException {
            Path target = dir.resolve("metrics.jsonl");
            Files.writeString(target, "previous");

            assertThatThrownBy(
                            () ->
                                    AtomicFiles.write(
                                            target,
                                            out -> {
                                                out.write("partial".getBytes(UTF_8));
                                                throw new IOException("disk full");
                                            }))
                    .isInstanceOf(IOException.class)
                    .hasMessage("disk full");

            assertThat(Files.readString(target)).isEqualTo("previous");
            assertThat(files()).containsExactly("metrics.jsonl");
        }
    }

    @Nested
    class Refusal {
        @Test
        void should_refuse_a_file_system_without_atomic_renames_and_keep_the_previous_file()
                throws IOException {
            Path target = dir.resolve("evaluation-state.json");
            Files.writeString(target, "previous");
            AtomicFiles.Rename noAtomicRename =
                    (source, destination) -> {
                        throw new AtomicMoveNotSupportedException(
                                source.toString(), destination.toString(), "not supported");
                    };

            assertThatThrownBy(
                            () ->
                                    AtomicFiles.writeFile(
                                            target,
                                            temporary -> Files.writeString(temporary, "new"),
                                            noAtomicRename))
                    .isInstanceOf(IOException.class)
                    .isNotInstanceOf(AtomicMoveNotSupportedException.class)
                    .hasMessageContaining(target.toAbsolutePath().toString())
                    .hasMessageContaining("cannot rename files atomically")
                    .hasCauseInstanceOf(AtomicMoveNotSupportedException.class);

            assertThat(Files.readString(target)).isEqualTo("previous");
            assertThat(files()).containsExactly("evaluation-state.json");
        }
    }

    @Nested
    class Orphans {
        @Test
        void should_remove_orphan_temporary_files_and_nothing_else() throws IOException {
            // what a process killed while writing leaves: the names write(..) gives
            Path metricsOrphan = Files.createTempFile(dir, ".metrics.jsonl.", ".tmp");
            Path stateOrphan = Files.createTempFile(dir, ".state.json.", ".tmp");
            List<String> others =
                    List.of(
                            ".state.json.abc.tmp",
                            ".state.json.12.tmp.bak",
                            "state.json.12.tmp",
                            "state.json.tmp",
                            "notes.tmp",
                            ".hidden",
                            "state.json");
            for (String other : others) {
                Files.writeString(dir.resolve(other), "keep");
            }
            Files.createDirectory(dir.resolve(".folder.json.7.tmp"));

            List<Path> deleted = AtomicFiles.removeOrphans(dir);

            assertThat(deleted).containsExactly(metricsOrphan, stateOrphan);
            assertThat(files())
                    .containsExactlyInAnyOrder(
                            ".state.json.abc.tmp",
                            ".state.json.12.tmp.bak",
                            "state.json.12.tmp",
                            "state.json.tmp",
                            "notes.tmp",
                            ".hidden",
                            "state.json",
                            ".folder.json.7.tmp");
        }

        @Test
        void should_remove_only_the_orphans_of_one_target() throws IOException {
            Path stateOrphan = Files.createTempFile(dir, ".state.json.", ".tmp");
            Path metricsOrphan = Files.createTempFile(dir, ".metrics.jsonl.", ".tmp");
            Path prefixedOrphan = Files.createTempFile(dir, ".state.json.bak.", ".tmp");

            List<Path> deleted = AtomicFiles.removeOrphansOf(dir.resolve("state.json"));

            assertThat(deleted).containsExactly(stateOrphan.toAbsolutePath());
            assertThat(metricsOrphan).exists();
            assertThat(prefixedOrphan).exists();
        }

        @Test
        void should_remove_nothing_from_a_folder_that_does_not_exist() throws IOException {
            assertThat(AtomicFiles.removeOrphans(dir.resolve("absent"))).isEmpty();
            assertThat(AtomicFiles.removeOrphansOf(dir.resolve("absent/state.json"))).isEmpty();
        }
    }
}
