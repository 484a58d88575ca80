package dev.awp.examples;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.djl.data.IdxReader;
import dev.awp.djl.data.ImageDataset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The Fashion-MNIST subset embedded in this module's resources ({@code
 * dev/awp/examples/fashion-mnist-subset}, MIT licence, © 2017 Zalando SE; the licence, the SHA-256
 * sums and a README are next to the data): 10,000 training and 2,000 test images of clothing,
 * 1×28×28, 1,000 and 200 per class, chosen from Debian's {@code dataset-fashion-mnist} by {@code
 * src/main/python/make_fashion_mnist_subset.py}. The images are listed round-robin by class, so
 * {@link #train(int)} and {@link #test(int)} with a multiple of 10 are stratified (equal counts per
 * class). The examples train on it by default, so they need no download and no data folder.
 *
 * <p>It lives in the examples rather than in {@code awp-djl} on purpose: the library stays ~5 MB
 * lighter for its users, and the data's licence travels with the programs that use them. To read it
 * in your own code, {@link IdxReader#read(InputStream, InputStream, int, String)} takes the
 * resources' streams.
 */
final class EmbeddedFashionMnist {

    /** The resource folder, relative to this class. */
    static final String FOLDER = "fashion-mnist-subset/";

    /** The number of embedded training images. */
    static final int TRAIN_SIZE = 10_000;

    /** The number of embedded test images. */
    static final int TEST_SIZE = 2_000;

    /** The data's files, as named in {@code SHA256SUMS}. */
    static final String[] FILES = {
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz"
    };

    private static final int CLASSES = 10;

    private EmbeddedFashionMnist() {}

    /**
     * The first {@code size} embedded training images; stratified when {@code size} is a multiple
     * of 10.
     *
     * @throws IllegalArgumentException if {@code size} is not in [1, 10000]
     * @throws UncheckedIOException if the resources are missing or malformed (a broken build)
     */
    static ImageDataset train(int size) {
        checkArgument(
                size >= 1 && size <= TRAIN_SIZE,
                "size must be in [1, %s] (the embedded training images) but was %s",
                TRAIN_SIZE,
                size);
        return prefix(read("train", "Fashion-MNIST subset train"), size);
    }

    /**
     * The first {@code size} embedded test images; stratified when {@code size} is a multiple of
     * 10.
     *
     * @throws IllegalArgumentException if {@code size} is not in [1, 2000]
     * @throws UncheckedIOException if the resources are missing or malformed (a broken build)
     */
    static ImageDataset test(int size) {
        checkArgument(
                size >= 1 && size <= TEST_SIZE,
                "size must be in [1, %s] (the embedded test images) but was %s",
                TEST_SIZE,
                size);
        return prefix(read("t10k", "Fashion-MNIST subset test"), size);
    }

    /** Opens one of the {@link #FILES}; the caller closes it. */
    static InputStream open(String file) throws IOException {
        InputStream in = EmbeddedFashionMnist.class.getResourceAsStream(FOLDER + file);
        if (in == null) {
            throw new IOException(
                    "missing resource "
                            + FOLDER
                            + file
                            + " next to "
                            + EmbeddedFashionMnist.class.getName()
                            + ": the awp-examples build is incomplete");
        }
        return in;
    }

    private static ImageDataset read(String prefix, String name) {
        try (InputStream images = open(prefix + "-images-idx3-ubyte.gz");
                InputStream labels = open(prefix + "-labels-idx1-ubyte.gz")) {
            return IdxReader.read(images, labels, CLASSES, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The first {@code size} images of {@code data}, a copy; {@code data} itself if all. */
    static ImageDataset prefix(ImageDataset data, int size) {
        if (size == data.size()) {
            return data;
        }
        byte[] images = new byte[size * data.imageBytes()];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            System.arraycopy(data.image(i), 0, images, i * data.imageBytes(), data.imageBytes());
            labels[i] = data.label(i);
        }
        return ImageDataset.of(
                String.format(Locale.ROOT, "%s[first %d]", data.name(), size),
                data.channels(),
                data.height(),
                data.width(),
                images,
                labels,
                data.numClasses());
    }
}
