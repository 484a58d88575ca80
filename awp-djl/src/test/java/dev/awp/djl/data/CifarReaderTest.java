package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {

    /**
     * A record in the real format. Pixel (c, y, x) holds {@code seed + c·64 + y + x} (mod 256), so
     * every plane, row and column is recognizable.
     */
    private static byte[] record(int seed, int... labelBytes) {
        byte[] record = new byte[labelBytes.length + 3072];
        for (int i = 0; i < labelBytes.length; i++) {
            record[i] = (byte) labelBytes[i];
        }
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    record[labelBytes.length + c * 1024 + y * 32 + x] =
                            (byte) (seed + c * 64 + y + x);
                }
            }
        }
        return record;
    }

    private static void write(Path file, byte[]... records) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] all = new byte[records.length * records[0].length];
        for (int i = 0; i < records.length; i++) {
            System.arraycopy(records[i], 0, all, i * records[i].length, records[i].length);
        }
        Files.write(file, all);
    }

    /** CIFAR-10 with 2 records per training file (labels 2b, 2b+1) and 3 test records. */
    private static Path cifar10(Path root) throws IOException {
        Path dir = root.resolve("cifar-10-batches-bin");
        for (int b = 1; b <= 5; b++) {
            write(
                    dir.resolve("data_batch_" + b + ".bin"),
                    record(10 * b, (2 * b - 2) % 10),
                    record(10 * b + 1, (2 * b - 1) % 10));
        }
        write(dir.resolve("test_batch.bin"), record(200, 9), record(201, 0), record(202, 5));
        return dir;
    }

    @Nested
    class Cifar10 {
        @Test
        void should_read_the_training_files_in_order_with_pixels_in_chw_order(@TempDir Path root)
                throws IOException {
            cifar10(root);
            ImageDataset train = CifarReader.cifar10Train(root);

            assertThat(train.name()).isEqualTo("CIFAR-10 train");
            assertThat(train.size()).isEqualTo(10);
            assertThat(train.numClasses()).isEqualTo(10);
            assertThat(train.labels()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            byte[] image = train.image(3); // data_batch_2.bin, second record: seed 21
            assertThat(image[0]).isEqualTo((byte) 21); // R (0, 0)
            assertThat(image[5 * 32 + 7]).isEqualTo((byte) (21 + 12)); // R (5, 7)
            assertThat(image[1024]).isEqualTo((byte) (21 + 64)); // G (0, 0)
            assertThat(image[2048 + 31 * 32 + 31]).isEqualTo((byte) (21 + 128 + 62)); // B
        }

        @Test
        void should_read_the_test_file_from_the_data_folder_itself(@TempDir Path root)
                throws IOException {
            Path dir = cifar10(root);
            ImageDataset test = CifarReader.cifar10Test(dir);

            assertThat(test.name()).isEqualTo("CIFAR-10 test");
            assertThat(test.labels()).containsExactly(9, 0, 5);
            assertThat(test.image(2)[0]).isEqualTo((byte) 202);
        }
    }

    @Nested
    class Cifar100 {
        @Test
        void should_use_the_fine_labels(@TempDir Path root) throws IOException {
            Path dir = root.resolve("cifar-100-binary");
            write(dir.resolve("train.bin"), record(1, 3, 99), record(2, 19, 42));
            write(dir.resolve("test.bin"), record(3, 0, 7));

            ImageDataset train = CifarReader.cifar100Train(root);
            ImageDataset test = CifarReader.cifar100Test(dir);

            assertThat(train.numClasses()).isEqualTo(100);
            assertThat(train.labels()).containsExactly(99, 42);
            assertThat(train.image(1)[1024]).isEqualTo((byte) (2 + 64));
            assertThat(test.name()).isEqualTo("CIFAR-100 test");
            assertThat(test.labels()).containsExactly(7);
        }
    }

    @Nested
    class Errors {
        @Test
        void should_reject_a_folder_that_does_not_exist(@TempDir Path root) {
            Path missing = root.resolve("nowhere");
            assertThatThrownBy(() -> CifarReader.cifar10Train(missing))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "folder must be an existing directory (cifar-10-batches-bin or its"
                                    + " parent) but was "
                                    + missing.toAbsolutePath());
        }

        @Test
        void should_name_a_missing_file(@TempDir Path root) throws IOException {
            Path dir = cifar10(root);
            Files.delete(dir.resolve("data_batch_4.bin"));

            assertThatThrownBy(() -> CifarReader.cifar10Train(root))
                    .isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining(dir.resolve("data_batch_4.bin").toString())
                    .hasMessageContaining("data_batch_1.bin, data_batch_2.bin")
                    .hasMessageContaining("https://www.cs.toronto.edu/~kriz/cifar.html");
        }

        @Test
        void should_reject_a_file_whose_size_is_not_a_multiple_of_the_record(@TempDir Path root)
                throws IOException {
            Path dir = cifar10(root);
            Path file = dir.resolve("test_batch.bin");
            Files.write(file, new byte[3073 * 2 + 10]);

            assertThatThrownBy(() -> CifarReader.cifar10Test(root))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            file
                                    + " has 6156 bytes, which is not a positive multiple of the"
                                    + " CIFAR-10 record size 3073 (1 label byte + 3072 pixel"
                                    + " bytes): the file is truncated or not a CIFAR-10 binary"
                                    + " file");
        }

        @Test
        void should_reject_cifar10_records_read_as_cifar100(@TempDir Path root) throws IOException {
            // one CIFAR-10 record is 3073 bytes: not a multiple of the CIFAR-100 record size
            Path dir = root.resolve("cifar-100-binary");
            write(dir.resolve("test.bin"), record(0, 1));

            assertThatThrownBy(() -> CifarReader.cifar100Test(root))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("CIFAR-100 record size 3074");
        }

        @Test
        void should_reject_an_empty_file(@TempDir Path root) throws IOException {
            Path dir = cifar10(root);
            Files.write(dir.resolve("test_batch.bin"), new byte[0]);

            assertThatThrownBy(() -> CifarReader.cifar10Test(dir))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("has 0 bytes");
        }

        @Test
        void should_reject_a_label_out_of_range(@TempDir Path root) throws IOException {
            Path dir = root.resolve("cifar-10-batches-bin");
            write(dir.resolve("test_batch.bin"), record(0, 1), record(0, 10));

            assertThatThrownBy(() -> CifarReader.cifar10Test(root))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            dir.resolve("test_batch.bin")
                                    + ": record 1 has label 10, outside [0, 10): not a CIFAR-10"
                                    + " binary file");
        }
    }
}
