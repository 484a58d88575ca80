package dev.awp.djl.data;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky, 2009, <a
 * href="https://www.cs.toronto.edu/~kriz/cifar.html">cs.toronto.edu/~kriz/cifar.html</a>) from a
 * local folder. Nothing is downloaded.
 *
 * <ul>
 *   <li>CIFAR-10: {@code data_batch_1.bin} … {@code data_batch_5.bin} (training, 50,000 images) and
 *       {@code test_batch.bin} (10,000), in {@code cifar-10-batches-bin}. A record is 3073 bytes:
 *       the label (0–9), then 3072 pixels.
 *   <li>CIFAR-100: {@code train.bin} (50,000) and {@code test.bin} (10,000), in {@code
 *       cifar-100-binary}. A record is 3074 bytes: the coarse label (0–19), the fine label (0–99),
 *       then 3072 pixels. The fine labels are used: 100 classes.
 * </ul>
 *
 * <p>The pixels of a record are 1024 red, 1024 green and 1024 blue bytes, each plane row-major:
 * already the CHW layout of {@link ImageDataset}, so they are copied as they are. The folder given
 * may be the data folder itself or its parent (where the archive was unpacked).
 */
public final class CifarReader {

    private static final String CIFAR10_FOLDER = "cifar-10-batches-bin";
    private static final String CIFAR100_FOLDER = "cifar-100-binary";
    private static final List<String> CIFAR10_TRAIN_FILES =
            List.of(
                    "data_batch_1.bin",
                    "data_batch_2.bin",
                    "data_batch_3.bin",
                    "data_batch_4.bin",
                    "data_batch_5.bin");
    private static final List<String> CIFAR10_TEST_FILES = List.of("test_batch.bin");
    private static final List<String> CIFAR100_TRAIN_FILES = List.of("train.bin");
    private static final List<String> CIFAR100_TEST_FILES = List.of("test.bin");

    private CifarReader() {}

    /**
     * Reads the CIFAR-10 training set: {@code data_batch_1.bin} to {@code data_batch_5.bin}, in
     * that order.
     *
     * @param folder {@code cifar-10-batches-bin} or the folder that contains it
     * @return the dataset, named {@code "CIFAR-10 train"}, 10 classes
     * @throws NullPointerException if {@code folder} is null
     * @throws IllegalArgumentException if {@code folder} is not an existing directory
     * @throws NoSuchFileException if a data file is missing
     * @throws IOException if a file cannot be read, its size is not a positive multiple of the
     *     record size, or it holds a label out of range
     */
    public static ImageDataset cifar10Train(Path folder) throws IOException {
        return read(folder, Format.CIFAR10, CIFAR10_TRAIN_FILES, "CIFAR-10 train");
    }

    /**
     * Reads the CIFAR-10 test set, {@code test_batch.bin}.
     *
     * @param folder {@code cifar-10-batches-bin} or the folder that contains it
     * @return the dataset, named {@code "CIFAR-10 test"}, 10 classes
     * @throws NullPointerException if {@code folder} is null
     * @throws IllegalArgumentException if {@code folder} is not an existing directory
     * @throws NoSuchFileException if the data file is missing
     * @throws IOException if the file cannot be read, its size is not a positive multiple of the
     *     record size, or it holds a label out of range
     */
    public static ImageDataset cifar10Test(Path folder) throws IOException {
        return read(folder, Format.CIFAR10, CIFAR10_TEST_FILES, "CIFAR-10 test");
    }

    /**
     * Reads the CIFAR-100 training set, {@code train.bin}, with its fine labels.
     *
     * @param folder {@code cifar-100-binary} or the folder that contains it
     * @return the dataset, named {@code "CIFAR-100 train"}, 100 classes
     * @throws NullPointerException if {@code folder} is null
     * @throws IllegalArgumentException if {@code folder} is not an existing directory
     * @throws NoSuchFileException if the data file is missing
     * @throws IOException if the file cannot be read, its size is not a positive multiple of the
     *     record size, or it holds a label out of range
     */
    public static ImageDataset cifar100Train(Path folder) throws IOException {
        return read(folder, Format.CIFAR100, CIFAR100_TRAIN_FILES, "CIFAR-100 train");
    }

    /**
     * Reads the CIFAR-100 test set, {@code test.bin}, with its fine labels.
     *
     * @param folder {@code cifar-100-binary} or the folder that contains it
     * @return the dataset, named {@code "CIFAR-100 test"}, 100 classes
     * @throws NullPointerException if {@code folder} is null
     * @throws IllegalArgumentException if {@code folder} is not an existing directory
     * @throws NoSuchFileException if the data file is missing
     * @throws IOException if the file cannot be read, its size is not a positive multiple of the
     *     record size, or it holds a label out of range
     */
    public static ImageDataset cifar100Test(Path folder) throws IOException {
        return read(folder, Format.CIFAR100, CIFAR100_TEST_FILES, "CIFAR-100 test");
    }

    /** The two record layouts. */
    private enum Format {
        CIFAR10("CIFAR-10", CIFAR10_FOLDER, 1, 0, 10, "1 label byte"),
        CIFAR100("CIFAR-100", CIFAR100_FOLDER, 2, 1, 100, "coarse and fine label bytes");

        final String title;
        final String folder;
        final int labelBytes;
        final int labelOffset;
        final int classes;
        final String labelDescription;

        Format(
                String title,
                String folder,
                int labelBytes,
                int labelOffset,
                int classes,
                String labelDescription) {
            this.title = title;
            this.folder = folder;
            this.labelBytes = labelBytes;
            this.labelOffset = labelOffset;
            this.classes = classes;
            this.labelDescription = labelDescription;
        }

        int recordBytes() {
            return labelBytes + ImageDataset.IMAGE_BYTES;
        }
    }

    private static ImageDataset read(Path folder, Format format, List<String> names, String title)
            throws IOException {
        requireNonNull(folder, "folder");
        Path dir = dataFolder(folder, format);
        List<Path> files = new ArrayList<>(names.size());
        long records = 0;
        for (String name : names) {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(
                        file.toString(),
                        null,
                        "missing "
                                + format.title
                                + " file: expected "
                                + String.join(", ", names)
                                + " in "
                                + dir
                                + " (the binary version from"
                                + " https://www.cs.toronto.edu/~kriz/cifar.html)");
            }
            long size = Files.size(file);
            if (size == 0 || size % format.recordBytes() != 0) {
                throw new IOException(
                        file
                                + " has "
                                + size
                                + " bytes, which is not a positive multiple of the "
                                + format.title
                                + " record size "
                                + format.recordBytes()
                                + " ("
                                + format.labelDescription
                                + " + 3072 pixel bytes): the file is truncated or not a "
                                + format.title
                                + " binary file");
            }
            files.add(file);
            records += size / format.recordBytes();
        }
        if (records > Integer.MAX_VALUE / ImageDataset.IMAGE_BYTES) {
            throw new IOException(
                    "too many records in " + dir + " for one in-memory dataset: " + records);
        }
        int count = (int) records;
        byte[] images = new byte[count * ImageDataset.IMAGE_BYTES];
        int[] labels = new int[count];
        byte[] labelBuffer = new byte[format.labelBytes];
        int next = 0;
        for (Path file : files) {
            int fileRecords = (int) (Files.size(file) / format.recordBytes());
            try (InputStream raw = Files.newInputStream(file);
                    DataInputStream in =
                            new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
                for (int r = 0; r < fileRecords; r++, next++) {
                    in.readFully(labelBuffer);
                    int label = Byte.toUnsignedInt(labelBuffer[format.labelOffset]);
                    if (label >= format.classes) {
                        throw new IOException(
                                file
                                        + ": record "
                                        + r
                                        + " has label "
                                        + label
                                        + ", outside [0, "
                                        + format.classes
                                        + "): not a "
                                        + format.title
                                        + " binary file");
                    }
                    labels[next] = label;
                    in.readFully(images, next * ImageDataset.IMAGE_BYTES, ImageDataset.IMAGE_BYTES);
                }
            }
        }
        return new ImageDataset(title, images, labels, format.classes);
    }

    private static Path dataFolder(Path folder, Format format) {
        Path nested = folder.resolve(format.folder);
        if (Files.isDirectory(nested)) {
            return nested;
        }
        if (Files.isDirectory(folder)) {
            return folder;
        }
        throw new IllegalArgumentException(
                "folder must be an existing directory ("
                        + format.folder
                        + " or its parent) but was "
                        + folder.toAbsolutePath());
    }
}
