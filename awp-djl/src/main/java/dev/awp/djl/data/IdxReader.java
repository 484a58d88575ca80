package dev.awp.djl.data;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of the MNIST family from a local folder: MNIST (LeCun et al., 1998), <a
 * href="https://github.com/zalandoresearch/fashion-mnist">Fashion-MNIST</a> (Xiao et al., 2017) and
 * <a href="https://github.com/rois-codh/kmnist">Kuzushiji-MNIST</a> (Clanuwat et al., 2018), all
 * 28×28 grey-level images in 10 classes. Nothing is downloaded; {@link #read(InputStream,
 * InputStream, int, String)} reads from streams, e.g. classpath resources.
 *
 * <p>An images file holds the magic number {@code 0x00000803} (unsigned bytes, 3 dimensions), the
 * dimensions {@code n}, {@code rows}, {@code cols} (big-endian 32-bit integers), then {@code n ×
 * rows × cols} pixel bytes, image after image, each row-major: already the CHW layout of a
 * 1×rows×cols {@link ImageDataset}, so they are copied as they are. A labels file holds {@code
 * 0x00000801} (unsigned bytes, 1 dimension), {@code n}, then {@code n} label bytes. A file may be
 * gzip-compressed or raw, whatever its name: compression is recognized by the gzip magic bytes
 * {@code 1f 8b}.
 *
 * <p>The splits of {@link #fashionMnist}, {@link #mnist} and {@link #kmnist} are read from the
 * standard file names, {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code
 * t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each with or without {@code .gz} (on
 * Debian, the package {@code dataset-fashion-mnist} installs Fashion-MNIST's in {@code
 * /usr/share/datasets/fashion-mnist}).
 */
public final class IdxReader {

    /** The magic number of an IDX file of unsigned bytes with 3 dimensions: images. */
    public static final int IMAGES_MAGIC = 0x00000803;

    /** The magic number of an IDX file of unsigned bytes with 1 dimension: labels. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int MNIST_CLASSES = 10;
    private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    private static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    private static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    private static final String GZIP = ".gz";

    private IdxReader() {}

    /**
     * The training and test splits of a dataset.
     *
     * @param train the training split
     * @param test the test split
     */
    public record Splits(ImageDataset train, ImageDataset test) {

        /**
         * Checks the splits.
         *
         * @param train the training split
         * @param test the test split
         * @throws NullPointerException if a split is null
         */
        public Splits {
            requireNonNull(train, "train");
            requireNonNull(test, "test");
        }
    }

    /**
     * Reads Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 1×28×28, 10 classes
     * (T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot).
     *
     * @param folder the folder holding the four standard files, raw or gzipped
     * @return the splits, named {@code "Fashion-MNIST train"} and {@code "Fashion-MNIST test"}
     * @throws NullPointerException if {@code folder} is null
     * @throws IllegalArgumentException if {@code folder} is not an existing directory
     * @throws NoSuchFileException if a file is missing; the message lists the names looked for
     * @throws IOException if a file cannot be read or is not a valid IDX file of the expected kind
     */
    public static Splits fashionMnist(Path folder) throws IOException {
        return splits(folder, "Fashion-MNIST");
    }

    /**
     * Reads MNIST: 60,000 training and 10,000 test images of handwritten digits, 1×28×28, 10
     * classes.
     *
     * @param folder the folder holding the four standard files, raw or gzipped
     * @return the splits, named {@code "MNIST train"} and {@code "MNIST test"}
     * @throws NullPointerException if {@code folder} is null
     * @throws IllegalArgumentException if {@code folder} is not an existing directory
     * @throws NoSuchFileException if a file is missing; the message lists the names looked for
     * @throws IOException if a file cannot be read or is not a valid IDX file of the expected kind
     */
    public static Splits mnist(Path folder) throws IOException {
        return splits(folder, "MNIST");
    }

    /**
     * Reads Kuzushiji-MNIST: 60,000 training and 10,000 test images of cursive Japanese characters,
     * 1×28×28, 10 classes.
     *
     * @param folder the folder holding the four standard files, raw or gzipped
     * @return the splits, named {@code "KMNIST train"} and {@code "KMNIST test"}
     * @throws NullPointerException if {@code folder} is null
     * @throws IllegalArgumentException if {@code folder} is not an existing directory
     * @throws NoSuchFileException if a file is missing; the message lists the names looked for
     * @throws IOException if a file cannot be read or is not a valid IDX file of the expected kind
     */
    public static Splits kmnist(Path folder) throws IOException {
        return splits(folder, "KMNIST");
    }

    /**
     * Reads a pair of IDX files, images and labels, as a dataset of 1×rows×cols images.
     *
     * @param images the images file, magic {@code 0x00000803}, raw or gzipped
     * @param labels the labels file, magic {@code 0x00000801}, raw or gzipped, with as many labels
     *     as there are images
     * @param numClasses the number of classes, in [2, 256]; every label must be less
     * @return the dataset, named after the files, e.g. {@code "train-images-idx3-ubyte.gz +
     *     train-labels-idx1-ubyte.gz"}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code numClasses} is not in [2, 256]
     * @throws NoSuchFileException if a file is missing
     * @throws IOException if a file cannot be read, has the wrong magic number or a dimension that
     *     is not positive, is truncated or longer than its header says, if the counts of images and
     *     labels differ, or if a label is not less than {@code numClasses}
     */
    public static ImageDataset read(Path images, Path labels, int numClasses) throws IOException {
        requireNonNull(images, "images");
        requireNonNull(labels, "labels");
        return read(
                images, labels, numClasses, images.getFileName() + " + " + labels.getFileName());
    }

    /**
     * Reads a pair of IDX streams, images and labels, as a dataset of 1×rows×cols images: for data
     * that are not files, e.g. classpath resources ({@code
     * getClass().getResourceAsStream("train-images-idx3-ubyte.gz")}). Each stream is read to its
     * end and left open; the caller closes it.
     *
     * @param images the images stream, magic {@code 0x00000803}, raw or gzipped
     * @param labels the labels stream, magic {@code 0x00000801}, raw or gzipped, with as many
     *     labels as there are images
     * @param numClasses the number of classes, in [2, 256]; every label must be less
     * @param name the dataset's name, also used in error messages, e.g. {@code "Fashion-MNIST
     *     train"}
     * @return the dataset
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code numClasses} is not in [2, 256]
     * @throws IOException if a stream cannot be read, has the wrong magic number or a dimension
     *     that is not positive, is truncated or longer than its header says, if the counts of
     *     images and labels differ, or if a label is not less than {@code numClasses}
     */
    public static ImageDataset read(
            InputStream images, InputStream labels, int numClasses, String name)
            throws IOException {
        requireNonNull(images, "images");
        requireNonNull(labels, "labels");
        requireNonNull(name, "name");
        checkNumClasses(numClasses);
        int[] labelValues;
        try (DataInputStream in = decode(new KeepOpen(labels))) {
            labelValues = readLabels(in, name + " labels", numClasses);
        }
        try (DataInputStream in = decode(new KeepOpen(images))) {
            return readImages(
                    in, name + " images", name + " labels", labelValues, numClasses, name);
        }
    }

    private static Splits splits(Path folder, String title) throws IOException {
        requireNonNull(folder, "folder");
        checkArgument(
                Files.isDirectory(folder),
                "folder must be an existing directory holding the %s IDX files but was %s",
                title,
                folder.toAbsolutePath());
        List<String> missing = new ArrayList<>();
        Path trainImages = find(folder, TRAIN_IMAGES, missing);
        Path trainLabels = find(folder, TRAIN_LABELS, missing);
        Path testImages = find(folder, TEST_IMAGES, missing);
        Path testLabels = find(folder, TEST_LABELS, missing);
        if (!missing.isEmpty()) {
            throw new NoSuchFileException(
                    folder.resolve(missing.get(0).split(" ")[0]).toString(),
                    null,
                    "missing "
                            + title
                            + " files in "
                            + folder
                            + ": looked for "
                            + String.join(", ", missing)
                            + "; expected all of "
                            + String.join(
                                    ", ",
                                    List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS))
                            + ", raw or gzipped (the IDX files as distributed)");
        }
        return new Splits(
                read(trainImages, trainLabels, MNIST_CLASSES, title + " train"),
                read(testImages, testLabels, MNIST_CLASSES, title + " test"));
    }

    /** The file {@code name} or {@code name.gz} in the folder; adds the name to missing if none. */
    private static Path find(Path folder, String name, List<String> missing) {
        Path raw = folder.resolve(name);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        Path gzipped = folder.resolve(name + GZIP);
        if (Files.isRegularFile(gzipped)) {
            return gzipped;
        }
        missing.add(name + " or " + name + GZIP);
        return null;
    }

    private static ImageDataset read(Path imagesFile, Path labelsFile, int numClasses, String name)
            throws IOException {
        checkNumClasses(numClasses);
        int[] labels;
        try (DataInputStream in = open(labelsFile)) {
            labels = readLabels(in, labelsFile.toString(), numClasses);
        }
        try (DataInputStream in = open(imagesFile)) {
            return readImages(
                    in, imagesFile.toString(), labelsFile.toString(), labels, numClasses, name);
        }
    }

    private static void checkNumClasses(int numClasses) {
        checkArgument(
                numClasses >= 2 && numClasses <= 256,
                "numClasses must be in [2, 256] but was %s",
                numClasses);
    }

    /** Reads an images stream whose labels were read from {@code labelsFile}. */
    private static ImageDataset readImages(
            DataInputStream in,
            String imagesFile,
            String labelsFile,
            int[] labels,
            int numClasses,
            String name)
            throws IOException {
        int magic = header(in, imagesFile, "magic number");
        checkMagic(imagesFile, magic, IMAGES_MAGIC, "images", "unsigned bytes, 3 dimensions");
        int count = dimension(in, imagesFile, "image count");
        int rows = dimension(in, imagesFile, "rows");
        int cols = dimension(in, imagesFile, "cols");
        if (count != labels.length) {
            throw new IOException(
                    imagesFile
                            + " holds "
                            + count
                            + " images but "
                            + labelsFile
                            + " holds "
                            + labels.length
                            + " labels: the counts must be equal (the files are not a pair)");
        }
        long total = (long) count * rows * cols;
        if (total > Integer.MAX_VALUE) {
            throw new IOException(
                    imagesFile
                            + ": "
                            + count
                            + " × "
                            + rows
                            + " × "
                            + cols
                            + " pixels are too many for one in-memory dataset");
        }
        byte[] pixels = new byte[(int) total];
        body(in, imagesFile, pixels, count + " × " + rows + " × " + cols + " pixel bytes");
        return new ImageDataset(name, 1, rows, cols, pixels, labels, numClasses);
    }

    private static int[] readLabels(DataInputStream in, String file, int numClasses)
            throws IOException {
        int magic = header(in, file, "magic number");
        checkMagic(file, magic, LABELS_MAGIC, "labels", "unsigned bytes, 1 dimension");
        int count = dimension(in, file, "label count");
        byte[] bytes = new byte[count];
        body(in, file, bytes, count + " label bytes");
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int label = Byte.toUnsignedInt(bytes[i]);
            if (label >= numClasses) {
                throw new IOException(
                        file
                                + ": label "
                                + i
                                + " is "
                                + label
                                + ", outside [0, "
                                + numClasses
                                + "): not a labels file of "
                                + numClasses
                                + " classes");
            }
            labels[i] = label;
        }
        return labels;
    }

    /** Opens a file, raw or gzipped as its first two bytes say. */
    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "missing IDX file " + file);
        }
        return decode(Files.newInputStream(file));
    }

    /** Wraps a stream, raw or gzipped as its first two bytes say; closes it if that fails. */
    private static DataInputStream decode(InputStream stream) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(stream, 1 << 16);
        try {
            buffered.mark(2);
            int first = buffered.read();
            int second = buffered.read();
            buffered.reset();
            InputStream in =
                    first == 0x1f && second == 0x8b
                            ? new BufferedInputStream(
                                    new GZIPInputStream(buffered, 1 << 16), 1 << 16)
                            : buffered;
            return new DataInputStream(in);
        } catch (IOException e) {
            buffered.close();
            throw e;
        }
    }

    private static int header(DataInputStream in, String file, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IOException(
                    file + " is truncated: it ends before its " + what + ", within the header", e);
        }
    }

    private static void checkMagic(
            String file, int magic, int expected, String kind, String description)
            throws IOException {
        if (magic != expected) {
            throw new IOException(
                    String.format(
                            Locale.ROOT,
                            "%s: magic number must be 0x%08x (IDX %s: %s) but was 0x%08x: not an"
                                    + " IDX %s file",
                            file,
                            expected,
                            kind,
                            description,
                            magic,
                            kind));
        }
    }

    private static int dimension(DataInputStream in, String file, String what) throws IOException {
        int value = header(in, file, what);
        if (value < 1) {
            throw new IOException(
                    file + ": " + what + " must be >= 1 but was " + value + " in the header");
        }
        return value;
    }

    /** Reads exactly {@code into.length} bytes, then checks that the file ends there. */
    private static void body(DataInputStream in, String file, byte[] into, String expected)
            throws IOException {
        int read;
        try {
            read = in.readNBytes(into, 0, into.length);
        } catch (EOFException e) {
            throw new IOException(
                    file
                            + " is truncated: its gzip stream ends before the expected "
                            + expected
                            + " ("
                            + into.length
                            + ") after the header",
                    e);
        }
        if (read < into.length) {
            throw new IOException(
                    file
                            + " is truncated: expected "
                            + expected
                            + " ("
                            + into.length
                            + ") after the header but found "
                            + read);
        }
        if (in.read() >= 0) {
            throw new IOException(
                    file
                            + " is longer than its header says: expected "
                            + expected
                            + " ("
                            + into.length
                            + ") after the header but found more");
        }
    }

    /** Passes everything through but {@link #close()}: the caller's stream stays open. */
    private static final class KeepOpen extends FilterInputStream {
        KeepOpen(InputStream in) {
            super(in);
        }

        @Override
        public void close() {}
    }
}
