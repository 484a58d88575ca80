package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.testing.TestModels;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    static final Shape INPUT = new Shape(1, 3, 32, 32);

    @TempDir Path dir;

    NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    static SealedArchive.Content entry(String name, String text) {
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

    static Checkpoint.State state() {
        return new Checkpoint.State(
                new RunIdentity(11, 3, 16, "SGD"),
                new RunState(
                        2,
                        List.of(),
                        Optional.of(new RunState.Best(1, Accuracy.of(3, 16))),
                        1.25,
                        0.25,
                        2));
    }

    /** What the trainer wrote for {@link #historyState()} before {@link RunState} existed. */
    static final String GOLDEN_STATE_JSON =
            "{\"format\":2,\"nextEpoch\":2,\"seed\":11,\"epochs\":3,\"batchSize\":16"
                    + ",\"optimizer\":\"ADAMW\",\"bestEpoch\":1,\"bestRobustAccuracy\":{\"correct\":3"
                    + ",\"total\":16,\"value\":0.1875},\"elapsedSeconds\":1.25"
                    + ",\"history\":[{\"epoch\":0,\"learningRate\":0.05"
                    + ",\"trainLoss\":2.302585092994046,\"trainAdversarialAccuracy\":{\"correct\":5"
                    + ",\"total\":48,\"value\":0.10416666666666667},\"awpActive\":false"
                    + ",\"elapsedSeconds\":0.75},{\"epoch\":1,\"learningRate\":0.025"
                    + ",\"trainLoss\":1.9,\"trainAdversarialAccuracy\":{\"correct\":9,\"total\":48"
                    + ",\"value\":0.1875},\"awpActive\":true,\"elapsedSeconds\":0.5"
                    + ",\"cleanAccuracy\":{\"correct\":7,\"total\":16,\"value\":0.4375}"
                    + ",\"robustAccuracy\":{\"correct\":3,\"total\":16,\"value\":0.1875}"
                    + ",\"trainRobustAccuracy\":{\"correct\":4,\"total\":16,\"value\":0.25}"
                    + ",\"robustGap\":0.0625}],\"learningRateFactor\":0.25,\"retries\":2}";

    /** A state with two epochs of history, one evaluated, as a format-2 checkpoint holds it. */
    static Checkpoint.State historyState() {
        List<EpochMetrics> history =
                List.of(
                        EpochMetrics.builder()
                                .epoch(0)
                                .learningRate(0.05)
                                .trainLoss(2.302585092994046)
                                .trainAdversarialAccuracy(Accuracy.of(5, 48))
                                .awpActive(false)
                                .elapsedSeconds(0.75)
                                .build(),
                        EpochMetrics.builder()
                                .epoch(1)
                                .learningRate(0.025)
                                .trainLoss(1.9)
                                .trainAdversarialAccuracy(Accuracy.of(9, 48))
                                .awpActive(true)
                                .elapsedSeconds(0.5)
                                .cleanAccuracy(Accuracy.of(7, 16))
                                .robustAccuracy(Accuracy.of(3, 16))
                                .trainRobustAccuracy(Accuracy.of(4, 16))
                                .build());
        return new Checkpoint.State(
                new RunIdentity(11, 3, 16, "ADAMW"),
                new RunState(
                        2,
                        history,
                        Optional.of(new RunState.Best(1, Accuracy.of(3, 16))),
                        1.25,
                        0.25,
                        2));
    }

    /** The tiny SmallCnn of the trainer tests, initialized in {@code manager} from the seed. */
    Block tinyCnn(int seed) {
        Engine.getInstance().setRandomSeed(seed);
        Block block = TinyRuns.tinyCnn();
        block.initialize(manager, DataType.FLOAT32, INPUT);
        return block;
    }

    /** Two named arrays standing in for SGD's momentum buffers. */
    NDList optimizerState() {
        NDArray first = manager.randomNormal(new Shape(2, 3, 3, 3));
        first.setName("momentum.a");
        NDArray second = manager.randomNormal(new Shape(8));
        second.setName("momentum.b");
        return new NDList(first, second);
    }

    /** The bytes of every parameter array of the block, in hexadecimal, by name. */
    static Map<String, String> bytes(Block block) {
        Map<String, String> copy = new LinkedHashMap<>();
        for (var pair : block.getParameters()) {
            Parameter parameter = pair.getValue();
            copy.put(
                    pair.getKey(),
                    parameter.isInitialized()
                            ? HexFormat.of().formatHex(parameter.getArray().toByteArray())
                            : "uninitialized");
        }
        return copy;
    }

    /** Writes a checkpoint of a tiny SmallCnn with optimizer state to {@code file}. */
    Path checkpoint(Path file) throws IOException {
        Checkpoint.write(file, state(), tinyCnn(1), optimizerState());
        return file;
    }

    @Nested
    class Atomicity {
        @Test
        void should_replace_the_previous_checkpoint_and_leave_no_temporary_file()
                throws IOException {
            Path target = dir.resolve("last.ckpt");
            SealedArchive.write(target, entry("a", "first"));
            SealedArchive.write(target, entry("a", "second"));

            assertThat(files()).containsExactly("last.ckpt");
            assertThat(read(target, "a")).isEqualTo("second");
        }

        @Test
        void should_keep_the_previous_checkpoint_intact_when_writing_fails() throws IOException {
            Path target = dir.resolve("last.ckpt");
            SealedArchive.write(target, entry("a", "first"));
            SealedArchive.Content failing =
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

            assertThatThrownBy(() -> SealedArchive.write(target, failing)).hasMessage("disk full");
            assertThat(files()).containsExactly("last.ckpt");
            assertThat(read(target, "a")).isEqualTo("first");
            Checkpoint.verify(target);
        }

        @Test
        void should_remove_orphan_temporary_files_and_nothing_else() throws IOException {
            // what a process killed while writing leaves: the names write(..) gives
            Path lastOrphan = Files.createTempFile(dir, ".last.ckpt.", ".tmp");
            Path bestOrphan = Files.createTempFile(dir, ".best.ckpt.", ".tmp");
            Files.writeString(lastOrphan, "partial");
            checkpoint(dir.resolve("last.ckpt"));
            List<String> others =
                    List.of(
                            ".last.ckpt.abc.tmp",
                            ".last.ckpt.12.tmp.bak",
                            "last.ckpt.12.tmp",
                            "notes.tmp",
                            ".hidden",
                            "epoch-0001.ckpt");
            for (String other : others) {
                Files.writeString(dir.resolve(other), "keep");
            }
            Files.createDirectory(dir.resolve(".folder.ckpt.7.tmp"));

            List<Path> deleted = Checkpoint.removeTemporaryFiles(dir);

            assertThat(deleted).containsExactlyInAnyOrder(lastOrphan, bestOrphan);
            assertThat(files())
                    .containsExactlyInAnyOrder(
                            ".last.ckpt.abc.tmp",
                            ".last.ckpt.12.tmp.bak",
                            "last.ckpt.12.tmp",
                            "notes.tmp",
                            ".hidden",
                            "epoch-0001.ckpt",
                            ".folder.ckpt.7.tmp",
                            "last.ckpt");
            Checkpoint.verify(dir.resolve("last.ckpt"));
        }

        @Test
        void should_remove_nothing_from_a_folder_that_does_not_exist() throws IOException {
            assertThat(Checkpoint.removeTemporaryFiles(dir.resolve("absent"))).isEmpty();
        }
    }

    @Nested
    class RoundTrip {
        @Test
        void should_round_trip_the_state() {
            Checkpoint.State state = state();
            assertThat(Checkpoint.State.fromJson(state.toJson())).isEqualTo(state);
        }

        /**
         * {@code state.json} of format 2, byte for byte as the trainer wrote it before the run
         * state became one type: checkpoints written by earlier versions must keep resuming.
         */
        @Test
        void should_write_the_format_2_state_json_byte_for_byte() {
            assertThat(historyState().toJson()).isEqualTo(GOLDEN_STATE_JSON);
            assertThat(Checkpoint.State.fromJson(GOLDEN_STATE_JSON)).isEqualTo(historyState());
        }

        @Test
        void should_restore_weights_state_and_optimizer_state_bit_for_bit() throws IOException {
            Block written = tinyCnn(1);
            NDList optimizer = optimizerState();
            Path file = dir.resolve("last.ckpt");
            Checkpoint.write(file, state(), written, optimizer);

            Block loaded = tinyCnn(2);
            assertThat(bytes(loaded)).isNotEqualTo(bytes(written));
            Checkpoint.loadParameters(file, loaded, manager);
            NDList restored = Checkpoint.readOptimizerState(file, manager);

            assertThat(Checkpoint.readState(file)).isEqualTo(state());
            assertThat(bytes(loaded)).containsExactlyEntriesOf(bytes(written));
            assertThat(restored).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(restored.get(i).getName()).isEqualTo(optimizer.get(i).getName());
                assertThat(restored.get(i).getShape()).isEqualTo(optimizer.get(i).getShape());
                assertThat(restored.get(i).toByteArray()).isEqualTo(optimizer.get(i).toByteArray());
            }
        }

        @Test
        void should_have_no_optimizer_state_when_none_was_written() throws IOException {
            Path file = dir.resolve("best.ckpt");
            Checkpoint.write(file, state(), tinyCnn(1), null);

            assertThat(Checkpoint.readOptimizerState(file, manager)).isNull();
        }

        @Test
        void should_end_with_the_sha256_of_everything_before_it() throws Exception {
            byte[] content = Files.readAllBytes(checkpoint(dir.resolve("last.ckpt")));
            int digitsAt = content.length - SealedArchive.CHECKSUM_DIGITS;
            String trailer =
                    new String(
                            content,
                            digitsAt - SealedArchive.CHECKSUM_MARKER.length(),
                            SealedArchive.CHECKSUM_MARKER.length() + SealedArchive.CHECKSUM_DIGITS,
                            StandardCharsets.US_ASCII);
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(content, 0, digitsAt);

            assertThat(trailer)
                    .isEqualTo(
                            SealedArchive.CHECKSUM_MARKER
                                    + HexFormat.of().formatHex(sha256.digest()));
            try (ZipFile zip = new ZipFile(dir.resolve("last.ckpt").toFile())) {
                assertThat(zip.getComment()).isEqualTo(trailer);
            }
        }
    }

    @Nested
    class Integrity {
        /** One read of a checkpoint. */
        interface Read {
            void run(Path file) throws IOException;
        }

        /**
         * Whether the read fails with an IOException that names the file, reports corruption or a
         * missing checksum and not an architecture mismatch.
         */
        boolean detects(Read read, Path file) {
            try {
                read.run(file);
                return false;
            } catch (IOException e) {
                String message = e.getMessage();
                return message.contains(file.toAbsolutePath().toString())
                        && (message.contains("checksum mismatch")
                                || message.contains("not a verifiable awp checkpoint"))
                        && !message.contains("do not fit");
            }
        }

        @Test
        void should_detect_one_changed_byte_in_every_region_of_the_file() throws IOException {
            byte[] original = Files.readAllBytes(checkpoint(dir.resolve("written.ckpt")));
            int size = original.length;
            List<Integer> offsets = new ArrayList<>();
            int regions = 64;
            for (int region = 0; region < regions; region++) {
                long start = (long) size * region / regions;
                long end = (long) size * (region + 1) / regions;
                offsets.add((int) ((start + end) / 2));
            }
            // and the zip structures by name: first local header, central directory, end record,
            // trailer marker, last checksum digit
            int trailer = SealedArchive.CHECKSUM_MARKER.length() + SealedArchive.CHECKSUM_DIGITS;
            int endRecord = size - trailer - 22;
            ByteBuffer little = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(little.getInt(endRecord)).isEqualTo(0x06054b50);
            int centralDirectory = little.getInt(endRecord + 16);
            assertThat(little.getInt(centralDirectory)).isEqualTo(0x02014b50);
            offsets.addAll(List.of(0, centralDirectory, endRecord, size - trailer, size - 1));

            Path corrupt = Files.createDirectory(dir.resolve("corrupt")).resolve("last.ckpt");
            Block target = tinyCnn(2);
            Map<String, String> before = bytes(target);
            List<Integer> missed = new ArrayList<>();
            for (int offset : offsets) {
                byte[] copy = original.clone();
                copy[offset] ^= (byte) 0xFF;
                Files.write(corrupt, copy);
                boolean detected =
                        detects(Checkpoint::readState, corrupt)
                                && detects(
                                        f -> Checkpoint.loadParameters(f, target, manager), corrupt)
                                && detects(f -> Checkpoint.readOptimizerState(f, manager), corrupt)
                                && detects(Checkpoint::verify, corrupt);
                if (!detected) {
                    missed.add(offset);
                }
            }
            System.out.printf(
                    "checkpoint of %d bytes: corrupted %d regions (%d equal regions + 5 zip"
                            + " structures), detected %d%n",
                    size, offsets.size(), regions, offsets.size() - missed.size());

            assertThat(missed).as("offsets whose corruption went undetected").isEmpty();
            assertThat(bytes(target)).as("weights after failed loads").isEqualTo(before);
        }

        @Test
        void should_detect_a_byte_appended_to_the_file() throws IOException {
            Path file = checkpoint(dir.resolve("last.ckpt"));
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                out.write('\n');
            }

            assertThat(detects(Checkpoint::readState, file)).isTrue();
        }
    }

    @Nested
    class Errors {
        Path folder;

        @BeforeEach
        void createFolder() throws IOException {
            folder = Files.createDirectory(dir.resolve("checkpoints"));
        }

        void assertUnusable(Path file, String problem) {
            String absolute = file.toAbsolutePath().toString();
            assertThatThrownBy(() -> Checkpoint.readState(file))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(absolute)
                    .hasMessageContaining(problem);
            assertThatThrownBy(() -> Checkpoint.loadParameters(file, tinyCnn(2), manager))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(absolute)
                    .hasMessageContaining(problem)
                    .hasMessageNotContaining("do not fit");
            assertThatThrownBy(() -> Checkpoint.readOptimizerState(file, manager))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(absolute)
                    .hasMessageContaining(problem);
        }

        @Test
        void should_reject_a_truncated_file() throws IOException {
            Path file = checkpoint(folder.resolve("last.ckpt"));
            byte[] content = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(content, content.length / 2));

            assertUnusable(file, "not a verifiable awp checkpoint");
        }

        @Test
        void should_reject_a_file_missing_only_its_last_byte() throws IOException {
            Path file = checkpoint(folder.resolve("last.ckpt"));
            byte[] content = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(content, content.length - 1));

            assertUnusable(file, "not a verifiable awp checkpoint");
        }

        @Test
        void should_reject_an_empty_file() throws IOException {
            Path file = Files.createFile(folder.resolve("last.ckpt"));

            assertUnusable(file, "not a verifiable awp checkpoint: it is empty");
        }

        @Test
        void should_reject_a_file_that_is_not_a_zip() throws IOException {
            byte[] noise = new byte[5000];
            new Random(3).nextBytes(noise);
            Path file = Files.write(folder.resolve("last.ckpt"), noise);

            assertUnusable(file, "not a verifiable awp checkpoint");
        }

        @Test
        void should_reject_a_zip_without_checksum_as_written_by_format_1() throws IOException {
            Path file = folder.resolve("last.ckpt");
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
                zip.putNextEntry(new ZipEntry(Checkpoint.STATE));
                zip.write("{\"format\":1}".getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }

            assertUnusable(file, "not a verifiable awp checkpoint");
        }

        @Test
        void should_reject_a_missing_file() {
            assertUnusable(folder.resolve("last.ckpt"), "there is no such file");
        }

        @Test
        void should_name_the_missing_entry_of_a_valid_archive() throws IOException {
            Path file = folder.resolve("last.ckpt");
            SealedArchive.write(file, entry("other", "x"));

            assertThatThrownBy(() -> Checkpoint.readState(file))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(file.toAbsolutePath().toString())
                    .hasMessageContaining("must contain state.json but it is missing");
            assertThatThrownBy(() -> Checkpoint.loadParameters(file, tinyCnn(2), manager))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("must contain parameters.params but it is missing");
            assertThat(Checkpoint.readOptimizerState(file, manager)).isNull();
        }

        @Test
        void should_name_an_unreadable_state_of_a_valid_archive() throws IOException {
            Path file = folder.resolve("last.ckpt");
            SealedArchive.write(file, entry(Checkpoint.STATE, "{\"format\":1}"));

            assertThatThrownBy(() -> Checkpoint.readState(file))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(file.toAbsolutePath().toString())
                    .hasMessageContaining("state.json cannot be read")
                    .hasMessageContaining("format must be 2 but was 1");
        }

        @Test
        void should_list_the_other_checkpoints_of_the_folder() throws IOException {
            checkpoint(folder.resolve("best.ckpt"));
            checkpoint(folder.resolve("epoch-0002.ckpt"));
            Path file = folder.resolve("last.ckpt");
            Files.writeString(file, "not a checkpoint");
            Files.writeString(folder.resolve(".last.ckpt.123.tmp"), "orphan");
            Files.writeString(folder.resolve("notes.txt"), "notes");

            assertThatThrownBy(() -> Checkpoint.readState(file))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            "checkpoint %s cannot be used: it is not a verifiable awp checkpoint:"
                                    + " it does not end with an awp-sha256: checksum, so it is"
                                    + " truncated, was not written by awp or was written in an"
                                    + " older format; other checkpoints in %s: best.ckpt,"
                                    + " epoch-0002.ckpt; resume from one of them or start again",
                            file.toAbsolutePath(), folder.toAbsolutePath());
        }

        @Test
        void should_say_when_there_is_no_other_checkpoint() throws IOException {
            Path file = Files.writeString(folder.resolve("last.ckpt"), "not a checkpoint");

            assertThatThrownBy(() -> Checkpoint.readState(file))
                    .isInstanceOf(IOException.class)
                    .hasMessageEndingWith(
                            "; there are no other checkpoints in "
                                    + folder.toAbsolutePath()
                                    + "; start again");
        }
    }

    @Nested
    class Architecture {
        @Test
        void should_report_a_valid_checkpoint_of_another_block_as_an_architecture_mismatch()
                throws IOException {
            Path file = checkpoint(dir.resolve("last.ckpt"));
            Block other = TestModels.convBn();
            other.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 6, 6));

            assertThatThrownBy(() -> Checkpoint.loadParameters(file, other, manager))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith(
                            "the parameters in " + file.toAbsolutePath() + " do not fit the model")
                    .hasMessageEndingWith(
                            "; resume with the architecture the checkpoint was written with")
                    .hasMessageNotContaining("checksum");
        }

        @Test
        void should_report_a_valid_checkpoint_of_another_width_as_an_architecture_mismatch()
                throws IOException {
            Path file = checkpoint(dir.resolve("last.ckpt"));
            Block wider =
                    SmallCnn.builder().setNumClasses(10).optWidth(3).optHiddenUnits(8).build();
            wider.initialize(manager, DataType.FLOAT32, INPUT);

            assertThatThrownBy(() -> Checkpoint.loadParameters(file, wider, manager))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith(
                            "the parameters in " + file.toAbsolutePath() + " do not fit the model")
                    .hasMessageContaining("has shape")
                    .hasMessageNotContaining("checksum");
        }
    }
}
