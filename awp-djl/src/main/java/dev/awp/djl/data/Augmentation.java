package dev.awp.djl.data;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.types.Shape;
import dev.awp.djl.internal.SplitMix64;
import java.util.Arrays;
import java.util.Objects;

/**
 * The training-time augmentation of the AWP recipes, on C×H×W byte images in CHW order (3×32×32 for
 * CIFAR-10, 1×28×28 for Fashion-MNIST): pad by {@code p} pixels, crop a random H×W window, and flip
 * it horizontally with probability ½ — torchvision's {@code RandomCrop((H, W), padding=p,
 * padding_mode=..)} followed by {@code RandomHorizontalFlip()}. Every channel gets the same crop
 * and flip.
 *
 * <ul>
 *   <li>{@link #reflectPadCropFlip()}: reflect padding, 4 pixels (AT-AWP);
 *   <li>{@link #zeroPadCropFlip()}: zero padding, 4 pixels (TRADES-AWP, MART-AWP);
 *   <li>{@link #none()}: the identity.
 * </ul>
 *
 * <p>Per image, in this order: the crop's top offset and left offset, each uniform in {@code [0,
 * 2p]}, then the flip (a fair coin; not drawn when flipping is off). The output pixel {@code (c, y,
 * x)} is the input pixel {@code (c, y + top − p, x' + left − p)} with {@code x' = W − 1 − x} when
 * flipped and {@code x' = x} otherwise; coordinates outside the image read 0 (zero padding) or are
 * mirrored without repeating the edge, {@code −k → k} and {@code (W − 1) + k → (W − 1) − k}, the
 * same for rows with H (reflect padding, numpy's {@code "reflect"}, which needs {@code p < H} and
 * {@code p < W}). The draws do not depend on the shape, so an image of any shape takes the same
 * crop offsets and flip from the same generator. The draws come from a generator that {@link
 * ImageDataset} derives from the seed, the epoch and the batch index, so an epoch's augmented
 * batches are a function of the seed alone. Instances are immutable and thread-safe.
 */
public final class Augmentation {

    /** How the border is filled before cropping. */
    public enum Padding {
        /** Zeros (black). */
        ZERO,
        /** Mirror images of the border rows and columns, without repeating the edge pixel. */
        REFLECT
    }

    private static final int SIDE = ImageDataset.WIDTH;
    private static final Shape CIFAR_SHAPE =
            new Shape(ImageDataset.CHANNELS, ImageDataset.HEIGHT, ImageDataset.WIDTH);
    private static final Augmentation NONE = new Augmentation(Padding.ZERO, 0, false);

    private final Padding padding;
    private final int pad;
    private final boolean flip;

    private Augmentation(Padding padding, int pad, boolean flip) {
        this.padding = padding;
        this.pad = pad;
        this.flip = flip;
    }

    /**
     * The identity: images pass unchanged and no random numbers are drawn.
     *
     * @return the identity augmentation
     */
    public static Augmentation none() {
        return NONE;
    }

    /**
     * Reflect-pad by 4, random crop back to the image size (32×32 on CIFAR-10), random horizontal
     * flip: the AT-AWP recipe.
     *
     * @return the augmentation
     */
    public static Augmentation reflectPadCropFlip() {
        return new Augmentation(Padding.REFLECT, 4, true);
    }

    /**
     * Zero-pad by 4, random crop back to the image size (32×32 on CIFAR-10), random horizontal
     * flip: the TRADES-AWP and MART-AWP recipe.
     *
     * @return the augmentation
     */
    public static Augmentation zeroPadCropFlip() {
        return new Augmentation(Padding.ZERO, 4, true);
    }

    /**
     * A pad-crop-flip augmentation with any padding.
     *
     * @param padding how the border is filled (reported as {@link Padding#ZERO} when {@code pad} is
     *     0, where it makes no difference)
     * @param pad the padding on each side, in pixels, in [0, 31]; 0 disables cropping; with {@link
     *     Padding#REFLECT} it must also be less than the height and the width of the images
     * @param flip whether to flip horizontally with probability ½
     * @return the augmentation
     * @throws NullPointerException if {@code padding} is null
     * @throws IllegalArgumentException if {@code pad} is not in [0, 31]
     */
    public static Augmentation padCropFlip(Padding padding, int pad, boolean flip) {
        requireNonNull(padding, "padding");
        checkArgument(pad >= 0 && pad < SIDE, "pad must be in [0, 31] but was %s", pad);
        if (pad == 0) {
            return flip ? new Augmentation(Padding.ZERO, 0, true) : NONE;
        }
        return new Augmentation(padding, pad, flip);
    }

    /**
     * How the border is filled.
     *
     * @return the padding mode
     */
    public Padding padding() {
        return padding;
    }

    /**
     * The padding on each side before cropping.
     *
     * @return the padding in pixels; 0 when there is no cropping
     */
    public int pad() {
        return pad;
    }

    /**
     * Whether images are flipped horizontally with probability ½.
     *
     * @return true when flipping
     */
    public boolean flip() {
        return flip;
    }

    /**
     * Whether this augmentation leaves every image unchanged.
     *
     * @return true for {@link #none()}
     */
    public boolean isIdentity() {
        return pad == 0 && !flip;
    }

    /**
     * Augments one 3×32×32 image (the CIFAR size) with draws from a generator seeded by {@code
     * seed}: the same seed gives the same crop and flip. Equivalent to {@link #apply(Shape, byte[],
     * int, byte[], int, long)} with the shape {@code (3, 32, 32)}.
     *
     * @param src the source images
     * @param srcOffset where the source image starts in {@code src}
     * @param dst where to write the augmented image
     * @param dstOffset where the augmented image starts in {@code dst}
     * @param seed the seed of the draws
     * @throws NullPointerException if {@code src} or {@code dst} is null
     * @throws IndexOutOfBoundsException if an image does not fit its array
     */
    public void apply(byte[] src, int srcOffset, byte[] dst, int dstOffset, long seed) {
        apply(CIFAR_SHAPE, src, srcOffset, dst, dstOffset, seed);
    }

    /**
     * Augments one C×H×W image with draws from a generator seeded by {@code seed}: the same seed
     * gives the same crop and flip, whatever the shape. {@link ImageDataset} augments whole batches
     * itself; this method is for inspecting or reproducing a single image.
     *
     * @param imageShape the image's shape {@code (C, H, W)}, e.g. {@link ImageDataset#inputShape()}
     * @param src the source images
     * @param srcOffset where the source image starts in {@code src}
     * @param dst where to write the augmented image, {@code C × H × W} bytes
     * @param dstOffset where the augmented image starts in {@code dst}
     * @param seed the seed of the draws
     * @throws NullPointerException if an array or the shape is null
     * @throws IllegalArgumentException if the shape is not three positive sizes, or the padding is
     *     reflect and not less than the height and the width
     * @throws IndexOutOfBoundsException if an image does not fit its array
     */
    public void apply(
            Shape imageShape, byte[] src, int srcOffset, byte[] dst, int dstOffset, long seed) {
        requireNonNull(imageShape, "imageShape");
        checkArgument(
                imageShape.dimension() == 3
                        && imageShape.get(0) >= 1
                        && imageShape.get(1) >= 1
                        && imageShape.get(2) >= 1
                        && imageShape.size() <= Integer.MAX_VALUE,
                "imageShape must be (C, H, W) with positive sizes but was %s",
                imageShape);
        apply(
                src,
                srcOffset,
                dst,
                dstOffset,
                (int) imageShape.get(0),
                (int) imageShape.get(1),
                (int) imageShape.get(2),
                SplitMix64.derive(seed));
    }

    /**
     * Checks that this augmentation can crop images of the given size: reflect padding mirrors
     * without repeating the edge, so it needs {@code pad < height} and {@code pad < width}.
     */
    void checkApplicable(int height, int width) {
        checkArgument(
                padding != Padding.REFLECT || (pad < height && pad < width),
                "pad must be less than the image height and width (%s×%s) with reflect padding"
                        + " but was %s",
                height,
                width,
                pad);
    }

    void apply(
            byte[] src,
            int srcOffset,
            byte[] dst,
            int dstOffset,
            int channels,
            int height,
            int width,
            SplitMix64 rng) {
        requireNonNull(src, "src");
        requireNonNull(dst, "dst");
        int plane = height * width;
        int imageBytes = channels * plane;
        Objects.checkFromIndexSize(srcOffset, imageBytes, src.length);
        Objects.checkFromIndexSize(dstOffset, imageBytes, dst.length);
        if (isIdentity()) {
            System.arraycopy(src, srcOffset, dst, dstOffset, imageBytes);
            return;
        }
        checkApplicable(height, width);
        int top = pad == 0 ? 0 : rng.nextInt(2 * pad + 1) - pad;
        int left = pad == 0 ? 0 : rng.nextInt(2 * pad + 1) - pad;
        boolean flipped = flip && rng.nextBoolean();
        int[] rows = new int[height];
        int[] cols = new int[width];
        for (int i = 0; i < height; i++) {
            rows[i] = source(i + top, height);
        }
        for (int i = 0; i < width; i++) {
            cols[i] = source((flipped ? width - 1 - i : i) + left, width);
        }
        for (int c = 0; c < channels; c++) {
            int srcPlane = srcOffset + c * plane;
            int dstPlane = dstOffset + c * plane;
            for (int y = 0; y < height; y++) {
                int sy = rows[y];
                int dstRow = dstPlane + y * width;
                if (sy < 0) {
                    Arrays.fill(dst, dstRow, dstRow + width, (byte) 0);
                    continue;
                }
                int srcRow = srcPlane + sy * width;
                for (int x = 0; x < width; x++) {
                    int sx = cols[x];
                    dst[dstRow + x] = sx < 0 ? 0 : src[srcRow + sx];
                }
            }
        }
    }

    /** The source coordinate of a padded coordinate along an axis of {@code size}, or -1 for 0. */
    private int source(int coordinate, int size) {
        if (coordinate >= 0 && coordinate < size) {
            return coordinate;
        }
        if (padding == Padding.ZERO) {
            return -1;
        }
        return coordinate < 0 ? -coordinate : 2 * (size - 1) - coordinate;
    }

    /** {@inheritDoc} */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Augmentation)) {
            return false;
        }
        Augmentation that = (Augmentation) other;
        return pad == that.pad && flip == that.flip && padding == that.padding;
    }

    /** {@inheritDoc} */
    @Override
    public int hashCode() {
        return Objects.hash(padding, pad, flip);
    }

    /** {@inheritDoc} */
    /**
     * A short description for logs and reports: {@code "none"}, {@code "reflect-pad 4, random crop,
     * horizontal flip"}, {@code "zero-pad 4, random crop"}, {@code "horizontal flip"}, …
     *
     * @return the description
     */
    public String describe() {
        if (isIdentity()) {
            return "none";
        }
        StringBuilder text = new StringBuilder();
        if (pad > 0) {
            text.append(padding == Padding.REFLECT ? "reflect-pad " : "zero-pad ")
                    .append(pad)
                    .append(", random crop");
        }
        if (flip) {
            text.append(text.length() > 0 ? ", " : "").append("horizontal flip");
        }
        return text.toString();
    }

    @Override
    public String toString() {
        if (isIdentity()) {
            return "Augmentation.none()";
        }
        return "Augmentation.padCropFlip(" + padding + ", " + pad + ", " + flip + ")";
    }
}
