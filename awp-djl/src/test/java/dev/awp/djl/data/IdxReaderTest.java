package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir Path dir;

    /** An IDX file: the magic number, the dimensions, then the bytes. */
    private static byte[] idx(int magic, int[] dimensions, byte[] data) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dimensions.length + data.length);
        buffer.putInt(magic);
        for (int dimension : dimensions) {
            buffer.putInt(dimension);
        }
        buffer.put(data);
        return buffer.array();
    }

    /** n images of rows×cols: pixel (y, x) of image i is 16·i + 4·y + x (mod 256). */
    private static byte[] images(int n, int rows, int cols) {
        byte[] pixels = new byte[n * rows * cols];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    pixels[(i * rows + y) * cols + x] = (byte) (16 * i + 4 * y + x);
                }
            }
        }
        return idx(IdxReader.IMAGES_MAGIC, new int[] {n, rows, cols}, pixels);
    }

    private static byte[] labels(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return idx(IdxReader.LABELS_MAGIC, new int[] {values.length}, bytes);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Nested
    class ReadingAPair {
        @Test
        void should_read_raw_files_as_one_channel_images_in_row_major_order() throws IOException {
            Path images = write("some-images", images(5, 3, 4));
            Path labels = write("some-labels", labels(0, 1, 2, 1, 0));

            ImageDataset dataset = IdxReader.read(images, labels, 3);

            assertThat(dataset.name()).isEqualTo("some-images + some-labels");
            assertThat(dataset.inputShape()).isEqualTo(new Shape(1, 3, 4));
            assertThat(dataset.size()).isEqualTo(5);
            assertThat(dataset.numClasses()).isEqualTo(3);
            assertThat(dataset.labels()).containsExactly(0, 1, 2, 1, 0);
            assertThat(dataset.image(2))
                    .containsExactly(32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43);
        }

        @Test
        void should_recognize_gzip_by_its_magic_bytes_not_by_the_file_name() throws IOException {
            ImageDataset raw =
                    IdxReader.read(
                            write("raw-images.gz", images(4, 2, 2)),
                            write("raw-labels.gz", labels(1, 0, 1, 0)),
                            2);
            ImageDataset gzipped =
                    IdxReader.read(
                            write("gz-images", gzip(images(4, 2, 2))),
                            write("gz-labels", gzip(labels(1, 0, 1, 0))),
                            2);

            assertThat(gzipped.labels()).isEqualTo(raw.labels());
            for (int i = 0; i < 4; i++) {
                assertThat(gzipped.image(i)).isEqualTo(raw.image(i));
            }
            assertThat(gzipped.image(3)).containsExactly(48, 49, 52, 53);
        }

        @Test
        void should_name_the_file_and_both_magic_numbers_when_the_files_are_swapped()
                throws IOException {
            Path images = write("images", images(2, 2, 2));
            Path labels = write("labels", labels(0, 1));

            assertThatThrownBy(() -> IdxReader.read(labels, images, 2))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            images
                                    + ": magic number must be 0x00000801 (IDX labels: unsigned"
                                    + " bytes, 1 dimension) but was 0x00000803: not an IDX labels"
                                    + " file");
        }

        @Test
        void should_report_a_truncated_images_file_with_expected_and_found_sizes()
                throws IOException {
            byte[] whole = images(5, 3, 4);
            Path images = write("images", Arrays.copyOf(whole, whole.length - 1));
            Path labels = write("labels", labels(0, 1, 0, 1, 0));

            assertThatThrownBy(() -> IdxReader.read(images, labels, 2))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            images
                                    + " is truncated: expected 5 × 3 × 4 pixel bytes (60) after the"
                                    + " header but found 59");
        }

        @Test
        void should_report_a_truncated_gzip_stream() throws IOException {
            byte[] whole = gzip(images(50, 8, 8));
            Path images = write("images.gz", Arrays.copyOf(whole, whole.length / 2));
            Path labels = write("labels", labels(new int[50]));

            assertThatThrownBy(() -> IdxReader.read(images, labels, 2))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith(images + " is truncated")
                    .hasMessageContaining("50 × 8 × 8 pixel bytes (3200)");
        }

        @Test
        void should_report_a_header_cut_short() throws IOException {
            Path images = write("images", Arrays.copyOf(images(1, 2, 2), 10));
            Path labels = write("labels", labels(0));

            assertThatThrownBy(() -> IdxReader.read(images, labels, 2))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            images + " is truncated: it ends before its rows, within the header");
        }

        @Test
        void should_report_bytes_beyond_what_the_header_announces() throws IOException {
            Path images = write("images", images(2, 2, 2));
            byte[] longer = Arrays.copyOf(labels(0, 1), 11);
            Path labels = write("labels", longer);

            assertThatThrownBy(() -> IdxReader.read(images, labels, 2))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            labels
                                    + " is longer than its header says: expected 2 label bytes (2)"
                                    + " after the header but found more");
        }

        @Test
        void should_report_different_counts_of_images_and_labels() throws IOException {
            Path images = write("images", images(3, 2, 2));
            Path labels = write("labels", labels(0, 1));

            assertThatThrownBy(() -> IdxReader.read(images, labels, 2))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            images
                                    + " holds 3 images but "
                                    + labels
                                    + " holds 2 labels: the counts must be equal (the files are"
                                    + " not a pair)");
        }

        @Test
        void should_report_a_label_out_of_range() throws IOException {
            Path images = write("images", images(3, 2, 2));
            Path labels = write("labels", labels(0, 9, 10));

            assertThatThrownBy(() -> IdxReader.read(images, labels, 10))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            labels
                                    + ": label 2 is 10, outside [0, 10): not a labels file of 10"
                                    + " classes");
        }

        @Test
        void should_report_a_dimension_that_is_not_positive() throws IOException {
            Path images =
                    write("images", idx(IdxReader.IMAGES_MAGIC, new int[] {1, 0, 2}, new byte[0]));
            Path labels = write("labels", labels(0));

            assertThatThrownBy(() -> IdxReader.read(images, labels, 2))
                    .isInstanceOf(IOException.class)
                    .hasMessage(images + ": rows must be >= 1 but was 0 in the header");
        }

        @Test
        void should_report_a_missing_file() throws IOException {
            Path labels = write("labels", labels(0));
            Path missing = dir.resolve("nowhere");

            assertThatThrownBy(() -> IdxReader.read(missing, labels, 2))
                    .isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("missing IDX file " + missing);
        }

        @Test
        void should_reject_a_number_of_classes_labels_cannot_hold() throws IOException {
            Path images = write("images", images(1, 2, 2));
            Path labels = write("labels", labels(0));

            assertThatThrownBy(() -> IdxReader.read(images, labels, 257))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("numClasses must be in [2, 256] but was 257");
        }
    }

    @Nested
    class ReadingStreams {
        /** A stream that records whether it was closed. */
        private final class Tracked extends ByteArrayInputStream {
            boolean closed;

            Tracked(byte[] bytes) {
                super(bytes);
            }

            @Override
            public void close() {
                closed = true;
            }
        }

        @Test
        void should_read_gzipped_and_raw_streams_like_files_and_leave_them_open()
                throws IOException {
            Tracked images = new Tracked(gzip(images(4, 2, 2)));
            Tracked labels = new Tracked(labels(1, 0, 1, 0));

            ImageDataset dataset = IdxReader.read(images, labels, 2, "resource pair");
            ImageDataset fromFiles =
                    IdxReader.read(
                            write("images", images(4, 2, 2)),
                            write("labels", labels(1, 0, 1, 0)),
                            2);

            assertThat(dataset.name()).isEqualTo("resource pair");
            assertThat(dataset.labels()).isEqualTo(fromFiles.labels());
            for (int i = 0; i < 4; i++) {
                assertThat(dataset.image(i)).isEqualTo(fromFiles.image(i));
            }
            assertThat(images.closed).isFalse();
            assertThat(labels.closed).isFalse();
            assertThat(images.read()).isEqualTo(-1);
            assertThat(labels.read()).isEqualTo(-1);
        }

        @Test
        void should_name_the_dataset_and_the_stream_in_errors() throws IOException {
            byte[] whole = images(5, 3, 4);
            ByteArrayInputStream images =
                    new ByteArrayInputStream(gzip(Arrays.copyOf(whole, whole.length - 1)));
            ByteArrayInputStream labels = new ByteArrayInputStream(labels(0, 1, 0, 1, 0));

            assertThatThrownBy(() -> IdxReader.read(images, labels, 2, "subset train"))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            "subset train images is truncated: expected 5 × 3 × 4 pixel bytes (60)"
                                    + " after the header but found 59");
        }
    }

    @Nested
    class StandardSplits {
        private void writeSplit(String prefix, int n, boolean gzipped) throws IOException {
            int[] values = new int[n];
            for (int i = 0; i < n; i++) {
                values[i] = i % 10;
            }
            byte[] images = images(n, 28, 28);
            byte[] labels = labels(values);
            String suffix = gzipped ? ".gz" : "";
            write(prefix + "-images-idx3-ubyte" + suffix, gzipped ? gzip(images) : images);
            write(prefix + "-labels-idx1-ubyte" + suffix, gzipped ? gzip(labels) : labels);
        }

        @Test
        void should_read_the_standard_files_gzipped_or_raw() throws IOException {
            writeSplit("train", 20, true);
            writeSplit("t10k", 10, false);

            IdxReader.Splits splits = IdxReader.fashionMnist(dir);

            assertThat(splits.train().name()).isEqualTo("Fashion-MNIST train");
            assertThat(splits.test().name()).isEqualTo("Fashion-MNIST test");
            assertThat(splits.train().inputShape()).isEqualTo(new Shape(1, 28, 28));
            assertThat(splits.train().classCounts()).containsOnly(2);
            assertThat(splits.test().classCounts()).containsOnly(1);
            assertThat(splits.test().image(1)[28 + 2]).isEqualTo((byte) (16 + 4 + 2));
            assertThat(IdxReader.mnist(dir).train().name()).isEqualTo("MNIST train");
            assertThat(IdxReader.kmnist(dir).test().name()).isEqualTo("KMNIST test");
        }

        @Test
        void should_list_the_files_it_looked_for() throws IOException {
            writeSplit("train", 10, true);

            assertThatThrownBy(() -> IdxReader.mnist(dir))
                    .isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining(
                            "missing MNIST files in "
                                    + dir
                                    + ": looked for t10k-images-idx3-ubyte or"
                                    + " t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte or"
                                    + " t10k-labels-idx1-ubyte.gz");
        }

        @Test
        void should_reject_a_folder_that_does_not_exist() {
            Path nowhere = dir.resolve("nowhere");

            assertThatThrownBy(() -> IdxReader.fashionMnist(nowhere))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "folder must be an existing directory holding the Fashion-MNIST IDX"
                                    + " files but was "
                                    + nowhere.toAbsolutePath());
        }
    }
}
