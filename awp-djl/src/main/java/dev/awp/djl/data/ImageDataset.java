package dev.awp.djl.data;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import com.google.common.primitives.Ints;
import dev.awp.djl.internal.SplitMix64;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An in-memory image-classification dataset of C×H×W images, all of one shape: 3×32×32 for
 * CIFAR-10, CIFAR-100 and {@link SyntheticShapes}, 1×28×28 for the MNIST family ({@link
 * IdxReader}). Pixels are unsigned bytes in CHW order (each channel's plane row-major), image after
 * image, with one class index per image.
 *
 * <p><b>Determinism.</b> Everything random is a function of a seed: {@link #epochOrder(long, int)
 * the order of an epoch} comes from {@code (seed, epoch)}, the augmentation of batch {@code b} from
 * {@code (seed, epoch, b)}, and {@link #subset(int, long) a subset} from its own seed. The same
 * arguments give the same batches, bit for bit, whatever was iterated before.
 *
 * <p><b>Batches.</b> {@link #trainingBatches} and {@link #evaluationBatches} produce DJL {@link
 * Batch} objects, so that DJL's {@code EasyTrain.trainBatch}, {@code Trainer.iterateDataset}-style
 * loops and {@link Batch#split multi-device splitting} work unchanged. A batch holds {@code x}, a
 * float32 {@code (B, C, H, W)} array of pixels scaled to [0, 1] (\( x = p / 255 \), as
 * torchvision's {@code ToTensor}), as its only data, and {@code y}, the int64 class indices {@code
 * (B)}, as its only label; its indices are the dataset positions of its images. Each batch owns a
 * sub-manager of the given manager, on that manager's device; closing the batch frees its arrays.
 *
 * <p>This type does not implement DJL's {@code Dataset}/{@code RandomAccessDataset}: their samplers
 * draw from an unseeded generator, and their batchifier builds one NDArray per image before
 * stacking. Here a batch is assembled in a byte array (augmented in Java), copied to the engine
 * once as {@code uint8}, and converted to float32 there: two native arrays per batch for the
 * images.
 *
 * <p>Instances are immutable and may be shared between threads; an iterator of batches is for one
 * thread.
 */
public final class ImageDataset implements ClassificationData {

    /**
     * Channels of a CIFAR-size image, the shape {@link #of(String, byte[], int[], int)} assumes;
     * other shapes are given to {@link #of(String, int, int, int, byte[], int[], int)} and read
     * with {@link #channels()}.
     */
    public static final int CHANNELS = 3;

    /** Height in pixels of a CIFAR-size image; see {@link #CHANNELS}. */
    public static final int HEIGHT = 32;

    /** Width in pixels of a CIFAR-size image; see {@link #CHANNELS}. */
    public static final int WIDTH = 32;

    /**
     * Bytes per CIFAR-size image, {@code CHANNELS × HEIGHT × WIDTH} = 3072; see {@link
     * #imageBytes()} for the size of this dataset's images.
     */
    public static final int IMAGE_BYTES = CHANNELS * HEIGHT * WIDTH;

    private static final long ORDER_STREAM = 0x6f72646572L;
    static final long AUGMENT_STREAM = 0x6175676dL;
    private static final long SUBSET_STREAM = 0x737562L;

    private final String name;
    // Package-private for ImageBatchIterator, which reads the images and labels into batches.
    final int channels;
    final int height;
    final int width;
    final int imageBytes;
    final byte[] images;
    final int[] labels;
    private final int numClasses;

    /** Wraps the arrays of 3×32×32 images without copying them; the caller gives up the arrays. */
    ImageDataset(String name, byte[] images, int[] labels, int numClasses) {
        this(name, CHANNELS, HEIGHT, WIDTH, images, labels, numClasses);
    }

    /** Wraps the arrays without copying them; the caller gives up the arrays. */
    ImageDataset(
            String name,
            int channels,
            int height,
            int width,
            byte[] images,
            int[] labels,
            int numClasses) {
        requireNonNull(name, "name");
        requireNonNull(images, "images");
        requireNonNull(labels, "labels");
        checkArgument(!name.isBlank(), "name must not be blank but was '%s'", name);
        checkArgument(channels >= 1, "channels must be >= 1 but was %s", channels);
        checkArgument(height >= 1, "height must be >= 1 but was %s", height);
        checkArgument(width >= 1, "width must be >= 1 but was %s", width);
        long bytesPerImage = (long) channels * height * width;
        checkArgument(
                bytesPerImage <= Integer.MAX_VALUE,
                "channels × height × width must be <= %s but was %s",
                Integer.MAX_VALUE,
                bytesPerImage);
        checkArgument(numClasses >= 2, "numClasses must be >= 2 but was %s", numClasses);
        checkArgument(labels.length > 0, "labels must not be empty but had 0 entries");
        checkArgument(
                images.length == labels.length * bytesPerImage,
                "images must hold %s bytes (%s labels × %s) but held %s",
                labels.length * bytesPerImage,
                labels.length,
                bytesPerImage,
                images.length);
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i];
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException(
                        "labels must be in [0, "
                                + numClasses
                                + ") but labels["
                                + i
                                + "] was "
                                + label);
            }
        }
        this.name = name;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.imageBytes = (int) bytesPerImage;
        this.images = images;
        this.labels = labels;
        this.numClasses = numClasses;
    }

    /**
     * Creates a dataset of 3×32×32 images (the CIFAR size) from copies of the given arrays.
     *
     * @param name a name for logs and reports, not blank
     * @param images the pixels of all images, {@code labels.length × 3072} bytes, each image in CHW
     *     order (all red rows, then green, then blue), unsigned
     * @param labels the class index of each image, in {@code [0, numClasses)}, at least one
     * @param numClasses the number of classes, at least 2
     * @return the dataset
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a size or a label is invalid
     */
    public static ImageDataset of(String name, byte[] images, int[] labels, int numClasses) {
        requireNonNull(images, "images");
        requireNonNull(labels, "labels");
        return new ImageDataset(name, images.clone(), labels.clone(), numClasses);
    }

    /**
     * Creates a dataset of C×H×W images from copies of the given arrays, for example 1×28×28 for
     * the MNIST family.
     *
     * @param name a name for logs and reports, not blank
     * @param channels the channels of an image, C, at least 1
     * @param height the height of an image in pixels, H, at least 1
     * @param width the width of an image in pixels, W, at least 1
     * @param images the pixels of all images, {@code labels.length × C × H × W} bytes, each image
     *     in CHW order (the first channel's rows, then the second's, …), unsigned
     * @param labels the class index of each image, in {@code [0, numClasses)}, at least one
     * @param numClasses the number of classes, at least 2
     * @return the dataset
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a dimension, a size or a label is invalid
     */
    public static ImageDataset of(
            String name,
            int channels,
            int height,
            int width,
            byte[] images,
            int[] labels,
            int numClasses) {
        requireNonNull(images, "images");
        requireNonNull(labels, "labels");
        return new ImageDataset(
                name, channels, height, width, images.clone(), labels.clone(), numClasses);
    }

    /**
     * The name of the dataset, for logs and reports.
     *
     * @return the name
     */
    @Override
    public String name() {
        return name;
    }

    /**
     * The number of images.
     *
     * @return the size, at least 1
     */
    @Override
    public int size() {
        return labels.length;
    }

    /**
     * The number of classes.
     *
     * @return the number of classes, at least 2
     */
    @Override
    public int numClasses() {
        return numClasses;
    }

    /**
     * The channels of each image, C.
     *
     * @return at least 1
     */
    public int channels() {
        return channels;
    }

    /**
     * The height of each image in pixels, H.
     *
     * @return at least 1
     */
    public int height() {
        return height;
    }

    /**
     * The width of each image in pixels, W.
     *
     * @return at least 1
     */
    public int width() {
        return width;
    }

    /**
     * The bytes of one image, C × H × W.
     *
     * @return at least 1
     */
    public int imageBytes() {
        return imageBytes;
    }

    /**
     * The class index of one image.
     *
     * @param index the image's position, in {@code [0, size())}
     * @return its class index
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    public int label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    /**
     * The class indices of all images, in order, as an unmodifiable view.
     *
     * @return the labels
     */
    public List<Integer> labels() {
        return Collections.unmodifiableList(Ints.asList(labels).subList(0, labels.length));
    }

    /**
     * A copy of one image's pixels.
     *
     * @param index the image's position, in {@code [0, size())}
     * @return its {@link #imageBytes()} bytes in CHW order, unsigned
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    public byte[] image(int index) {
        int offset = Objects.checkIndex(index, labels.length) * imageBytes;
        return Arrays.copyOfRange(images, offset, offset + imageBytes);
    }

    /**
     * Counts the images of each class.
     *
     * @return {@code counts[c]} = the number of images of class {@code c}
     */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * A fixed random subset, for example a validation subset evaluated every few epochs. The images
     * are drawn without replacement by a generator seeded with {@code seed} and kept in their
     * original order; the same size and seed give the same subset.
     *
     * @param size the number of images, in {@code [1, size()]}
     * @param seed the seed
     * @return the subset, a new dataset named {@code name + "[subset of " + size + ", seed " + seed
     *     + "]"}
     * @throws IllegalArgumentException if {@code size} is out of range
     */
    @Override
    public ImageDataset subset(int size, long seed) {
        checkArgument(
                size >= 1 && size <= labels.length,
                "size must be in [1, %s] but was %s",
                labels.length,
                size);
        SplitMix64 rng = SplitMix64.derive(seed, SUBSET_STREAM);
        int[] pool = identity(labels.length);
        for (int i = 0; i < size; i++) {
            int j = i + rng.nextInt(labels.length - i);
            int tmp = pool[i];
            pool[i] = pool[j];
            pool[j] = tmp;
        }
        int[] chosen = Arrays.copyOf(pool, size);
        Arrays.sort(chosen);
        byte[] subImages = new byte[size * imageBytes];
        int[] subLabels = new int[size];
        for (int i = 0; i < size; i++) {
            System.arraycopy(images, chosen[i] * imageBytes, subImages, i * imageBytes, imageBytes);
            subLabels[i] = labels[chosen[i]];
        }
        String subName = name + "[subset of " + size + ", seed " + seed + "]";
        return new ImageDataset(subName, channels, height, width, subImages, subLabels, numClasses);
    }

    /**
     * The order in which an epoch visits the images: a uniformly random permutation drawn from a
     * generator seeded with {@code (seed, epoch)}.
     *
     * @param seed the seed
     * @param epoch the epoch, 0-based
     * @return a permutation of {@code 0..size()-1}
     * @throws IllegalArgumentException if {@code epoch < 0}
     */
    public int[] epochOrder(long seed, int epoch) {
        checkArgument(epoch >= 0, "epoch must be >= 0 but was %s", epoch);
        int[] order = identity(labels.length);
        SplitMix64.derive(seed, ORDER_STREAM, epoch).shuffle(order);
        return order;
    }

    /**
     * The batches of one training epoch: the images in {@link #epochOrder(long, int)} order, cut
     * into batches of {@code batchSize} (the last one smaller if the size is not a multiple), each
     * image augmented with draws from a generator seeded with {@code (seed, epoch, batch index)}.
     * Batches are built one at a time as the iteration proceeds; the caller closes each one.
     * Iterating twice gives the same batches.
     *
     * @param manager the manager whose sub-managers own the batches; its device is the batches'
     * @param batchSize the batch size, at least 1
     * @param seed the seed
     * @param epoch the epoch, 0-based
     * @param augmentation the augmentation, {@link Augmentation#none()} for none
     * @return the batches, in order
     * @throws NullPointerException if {@code manager} or {@code augmentation} is null
     * @throws IllegalArgumentException if {@code batchSize < 1}, {@code epoch < 0}, or the
     *     augmentation reflects a padding not less than the images' height or width
     */
    @Override
    public Iterable<Batch> trainingBatches(
            NDManager manager, int batchSize, long seed, int epoch, Augmentation augmentation) {
        requireNonNull(manager, "manager");
        requireNonNull(augmentation, "augmentation");
        int total = numBatches(batchSize);
        int[] order = epochOrder(seed, epoch);
        if (!augmentation.isIdentity()) {
            augmentation.checkApplicable(height, width);
        }
        return () ->
                new ImageBatchIterator(
                        this,
                        manager,
                        order,
                        batchSize,
                        total,
                        augmentation,
                        b -> SplitMix64.derive(seed, AUGMENT_STREAM, epoch, b));
    }

    /**
     * The batches of an evaluation pass: the images in dataset order, not augmented, in batches of
     * {@code batchSize} (the last one smaller if the size is not a multiple). The caller closes
     * each batch.
     *
     * @param manager the manager whose sub-managers own the batches; its device is the batches'
     * @param batchSize the batch size, at least 1
     * @return the batches, in order
     * @throws NullPointerException if {@code manager} is null
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    @Override
    public Iterable<Batch> evaluationBatches(NDManager manager, int batchSize) {
        requireNonNull(manager, "manager");
        int total = numBatches(batchSize);
        int[] order = identity(labels.length);
        return () ->
                new ImageBatchIterator(
                        this, manager, order, batchSize, total, Augmentation.none(), b -> null);
    }

    /**
     * One batch of chosen images, not augmented, in the given order.
     *
     * @param manager the manager whose sub-manager owns the batch; its device is the batch's
     * @param indices the positions of the images, each in {@code [0, size())}, at least one
     * @return the batch; the caller closes it
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code indices} is empty
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public Batch batch(NDManager manager, int... indices) {
        requireNonNull(manager, "manager");
        requireNonNull(indices, "indices");
        checkArgument(indices.length > 0, "indices must not be empty but had 0 entries");
        for (int index : indices) {
            Objects.checkIndex(index, labels.length);
        }
        return new ImageBatchIterator(
                        this,
                        manager,
                        indices.clone(),
                        indices.length,
                        1,
                        Augmentation.none(),
                        b -> null)
                .next();
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code (C, H, W)}, e.g. {@code (3, 32, 32)} for CIFAR-10 and {@code (1, 28, 28)} for
     *     Fashion-MNIST
     */
    @Override
    public Shape inputShape() {
        return new Shape(channels, height, width);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return name + " (" + labels.length + " images, " + numClasses + " classes)";
    }

    private static int[] identity(int n) {
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return values;
    }
}
