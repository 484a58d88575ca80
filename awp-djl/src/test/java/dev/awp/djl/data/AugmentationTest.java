package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import dev.awp.djl.internal.SplitMix64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AugmentationTest {

    /** An image whose every pixel differs from its neighbours: value = (c·37 + y·7 + x) mod 251. */
    private static byte[] pattern() {
        byte[] image = new byte[ImageDataset.IMAGE_BYTES];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    image[c * 1024 + y * 32 + x] = (byte) ((c * 37 + y * 7 + x) % 251 + 1);
                }
            }
        }
        return image;
    }

    /**
     * The definition, computed the slow way: build the padded 40×40 image, crop, then flip, with
     * the draws made in the documented order.
     */
    private static byte[] reference(byte[] image, Augmentation.Padding padding, long seed) {
        SplitMix64 rng = SplitMix64.derive(seed);
        int top = rng.nextInt(9);
        int left = rng.nextInt(9);
        boolean flip = rng.nextBoolean();
        int side = 40;
        byte[] out = new byte[ImageDataset.IMAGE_BYTES];
        for (int c = 0; c < 3; c++) {
            byte[] padded = new byte[side * side];
            for (int py = 0; py < side; py++) {
                for (int px = 0; px < side; px++) {
                    int y = py - 4;
                    int x = px - 4;
                    if (padding == Augmentation.Padding.REFLECT) {
                        y = y < 0 ? -y : y > 31 ? 62 - y : y;
                        x = x < 0 ? -x : x > 31 ? 62 - x : x;
                    }
                    boolean inside = y >= 0 && y < 32 && x >= 0 && x < 32;
                    padded[py * side + px] = inside ? image[c * 1024 + y * 32 + x] : 0;
                }
            }
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int cx = flip ? 31 - x : x;
                    out[c * 1024 + y * 32 + x] = padded[(y + top) * side + cx + left];
                }
            }
        }
        return out;
    }

    @Nested
    class PadCropFlip {
        @ParameterizedTest(name = "{0} padding")
        @EnumSource(Augmentation.Padding.class)
        void should_match_pad_then_crop_then_flip(Augmentation.Padding padding) {
            Augmentation augmentation = Augmentation.padCropFlip(padding, 4, true);
            byte[] image = pattern();
            byte[] out = new byte[ImageDataset.IMAGE_BYTES];
            for (long seed = 0; seed < 200; seed++) {
                augmentation.apply(image, 0, out, 0, seed);
                assertThat(out).as("seed %s", seed).isEqualTo(reference(image, padding, seed));
            }
        }

        @Test
        void should_reflect_without_repeating_the_edge() {
            // a seed whose draws are: top offset −4, left offset −4, no flip
            long seed = 0;
            while (true) {
                SplitMix64 rng = SplitMix64.derive(seed);
                if (rng.nextInt(9) == 0 && rng.nextInt(9) == 0 && !rng.nextBoolean()) {
                    break;
                }
                seed++;
            }
            byte[] image = pattern();
            byte[] out = new byte[ImageDataset.IMAGE_BYTES];
            Augmentation.reflectPadCropFlip().apply(image, 0, out, 0, seed);

            // output (y, x) reads padded (y − 4, x − 4): row −4 → 4, column −1 → 1, 0 → 0
            assertThat(out[0]).isEqualTo(image[4 * 32 + 4]);
            assertThat(out[3]).isEqualTo(image[4 * 32 + 1]);
            assertThat(out[4]).isEqualTo(image[4 * 32]);
            assertThat(out[4 * 32 + 4]).isEqualTo(image[0]);
            assertThat(out[2048 + 31 * 32 + 31]).isEqualTo(image[2048 + 27 * 32 + 27]);
        }

        @Test
        void should_write_zeros_outside_the_image_with_zero_padding() {
            byte[] image = pattern();
            byte[] out = new byte[ImageDataset.IMAGE_BYTES];
            int zeros = 0;
            for (long seed = 0; seed < 50; seed++) {
                Augmentation.zeroPadCropFlip().apply(image, 0, out, 0, seed);
                for (byte b : out) {
                    zeros += b == 0 ? 1 : 0;
                }
            }
            assertThat(zeros).isPositive(); // the pattern itself has no zero byte
        }

        @Test
        void should_honour_offsets_into_larger_arrays() {
            byte[] image = pattern();
            byte[] src = new byte[3 * ImageDataset.IMAGE_BYTES];
            System.arraycopy(image, 0, src, ImageDataset.IMAGE_BYTES, image.length);
            byte[] dst = new byte[2 * ImageDataset.IMAGE_BYTES];
            byte[] direct = new byte[ImageDataset.IMAGE_BYTES];

            Augmentation.reflectPadCropFlip()
                    .apply(src, ImageDataset.IMAGE_BYTES, dst, ImageDataset.IMAGE_BYTES, 9);
            Augmentation.reflectPadCropFlip().apply(image, 0, direct, 0, 9);

            byte[] written = new byte[ImageDataset.IMAGE_BYTES];
            System.arraycopy(dst, ImageDataset.IMAGE_BYTES, written, 0, written.length);
            assertThat(written).isEqualTo(direct);
            assertThat(dst).startsWith(new byte[ImageDataset.IMAGE_BYTES]);
        }
    }

    @Nested
    class Identity {
        @Test
        void should_copy_images_unchanged() {
            byte[] image = pattern();
            byte[] out = new byte[ImageDataset.IMAGE_BYTES];
            Augmentation.none().apply(image, 0, out, 0, 123);
            assertThat(out).isEqualTo(image);
            assertThat(Augmentation.none().isIdentity()).isTrue();
            assertThat(Augmentation.padCropFlip(Augmentation.Padding.REFLECT, 0, false))
                    .isSameAs(Augmentation.none());
            assertThat(Augmentation.padCropFlip(Augmentation.Padding.REFLECT, 0, true))
                    .isEqualTo(Augmentation.padCropFlip(Augmentation.Padding.ZERO, 0, true));
        }

        @Test
        void should_only_flip_when_pad_is_zero() {
            byte[] image = pattern();
            byte[] out = new byte[ImageDataset.IMAGE_BYTES];
            Augmentation flipOnly = Augmentation.padCropFlip(Augmentation.Padding.ZERO, 0, true);
            Set<Byte> corners = new HashSet<>();
            for (long seed = 0; seed < 20; seed++) {
                flipOnly.apply(image, 0, out, 0, seed);
                corners.add(out[0]);
            }
            assertThat(corners).containsExactlyInAnyOrder(image[0], image[31]);
        }
    }

    /** A C×H×W image whose pixels differ from their neighbours: (c·37 + y·7 + x) mod 251 + 1. */
    private static byte[] pattern(int channels, int height, int width) {
        byte[] image = new byte[channels * height * width];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    image[(c * height + y) * width + x] = (byte) ((c * 37 + y * 7 + x) % 251 + 1);
                }
            }
        }
        return image;
    }

    /**
     * The definition for any C×H×W and pad p, the slow way: build the padded (H + 2p)×(W + 2p)
     * image, crop an H×W window, then flip.
     */
    private static byte[] reference(
            byte[] image,
            int channels,
            int height,
            int width,
            Augmentation.Padding padding,
            int pad,
            long seed) {
        SplitMix64 rng = SplitMix64.derive(seed);
        int top = rng.nextInt(2 * pad + 1);
        int left = rng.nextInt(2 * pad + 1);
        boolean flip = rng.nextBoolean();
        int paddedHeight = height + 2 * pad;
        int paddedWidth = width + 2 * pad;
        byte[] out = new byte[image.length];
        for (int c = 0; c < channels; c++) {
            byte[] padded = new byte[paddedHeight * paddedWidth];
            for (int py = 0; py < paddedHeight; py++) {
                for (int px = 0; px < paddedWidth; px++) {
                    int y = py - pad;
                    int x = px - pad;
                    if (padding == Augmentation.Padding.REFLECT) {
                        y = y < 0 ? -y : y > height - 1 ? 2 * (height - 1) - y : y;
                        x = x < 0 ? -x : x > width - 1 ? 2 * (width - 1) - x : x;
                    }
                    boolean inside = y >= 0 && y < height && x >= 0 && x < width;
                    padded[py * paddedWidth + px] =
                            inside ? image[(c * height + y) * width + x] : 0;
                }
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int cx = flip ? width - 1 - x : x;
                    out[(c * height + y) * width + x] = padded[(y + top) * paddedWidth + cx + left];
                }
            }
        }
        return out;
    }

    @Nested
    class AnyShape {
        @ParameterizedTest(name = "{0} padding")
        @EnumSource(Augmentation.Padding.class)
        void should_match_the_definition_on_1x28x28_images(Augmentation.Padding padding) {
            Augmentation augmentation = Augmentation.padCropFlip(padding, 4, true);
            byte[] image = pattern(1, 28, 28);
            byte[] out = new byte[image.length];
            for (long seed = 0; seed < 200; seed++) {
                augmentation.apply(new Shape(1, 28, 28), image, 0, out, 0, seed);
                assertThat(out)
                        .as("seed %s", seed)
                        .isEqualTo(reference(image, 1, 28, 28, padding, 4, seed));
            }
        }

        @ParameterizedTest(name = "{0} padding")
        @EnumSource(Augmentation.Padding.class)
        void should_crop_non_square_images_of_several_channels_back_to_their_size(
                Augmentation.Padding padding) {
            Augmentation augmentation = Augmentation.padCropFlip(padding, 3, true);
            byte[] image = pattern(2, 5, 9);
            byte[] out = new byte[image.length];
            for (long seed = 0; seed < 200; seed++) {
                augmentation.apply(new Shape(2, 5, 9), image, 0, out, 0, seed);
                assertThat(out)
                        .as("seed %s", seed)
                        .isEqualTo(reference(image, 2, 5, 9, padding, 3, seed));
            }
        }

        @Test
        void should_give_3x32x32_images_the_same_bytes_as_the_cifar_shortcut() {
            byte[] image = pattern();
            byte[] viaShape = new byte[image.length];
            byte[] viaShortcut = new byte[image.length];
            for (long seed = 0; seed < 50; seed++) {
                Augmentation.reflectPadCropFlip()
                        .apply(new Shape(3, 32, 32), image, 0, viaShape, 0, seed);
                Augmentation.reflectPadCropFlip().apply(image, 0, viaShortcut, 0, seed);
                assertThat(viaShape).as("seed %s", seed).isEqualTo(viaShortcut);
            }
        }

        @Test
        void should_zero_pad_beyond_the_image_size() {
            // a 1×2×2 image with zero padding 4: most crops are all zeros, none fails
            byte[] image = {1, 2, 3, 4};
            byte[] out = new byte[4];
            int zeros = 0;
            for (long seed = 0; seed < 50; seed++) {
                Augmentation.zeroPadCropFlip().apply(new Shape(1, 2, 2), image, 0, out, 0, seed);
                for (byte b : out) {
                    assertThat(b).isBetween((byte) 0, (byte) 4);
                    zeros += b == 0 ? 1 : 0;
                }
            }
            assertThat(zeros).isPositive();
        }

        @Test
        void should_reject_reflect_padding_not_less_than_the_image() {
            byte[] image = new byte[2 * 4 * 10];
            assertThatThrownBy(
                            () ->
                                    Augmentation.reflectPadCropFlip()
                                            .apply(new Shape(2, 4, 10), image, 0, image, 0, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "pad must be less than the image height and width (4×10) with reflect"
                                    + " padding but was 4");
        }

        @Test
        void should_reject_a_shape_that_is_not_channels_height_width() {
            byte[] image = new byte[784];
            assertThatThrownBy(
                            () ->
                                    Augmentation.zeroPadCropFlip()
                                            .apply(new Shape(28, 28), image, 0, image, 0, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "imageShape must be (C, H, W) with positive sizes but was (28, 28)");
        }
    }

    @Test
    void should_reject_padding_of_a_whole_image() {
        assertThatThrownBy(() -> Augmentation.padCropFlip(Augmentation.Padding.REFLECT, 32, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pad must be in [0, 31] but was 32");
    }

    @Test
    void should_describe_the_recipes() {
        assertThat(Augmentation.reflectPadCropFlip().padding())
                .isEqualTo(Augmentation.Padding.REFLECT);
        assertThat(Augmentation.zeroPadCropFlip().padding()).isEqualTo(Augmentation.Padding.ZERO);
        assertThat(Augmentation.zeroPadCropFlip().pad()).isEqualTo(4);
        assertThat(Augmentation.zeroPadCropFlip().flip()).isTrue();
        assertThat(Augmentation.reflectPadCropFlip())
                .hasToString("Augmentation.padCropFlip(REFLECT, 4, true)");
    }

    @Test
    void should_describe_itself_in_words_for_logs_and_reports() {
        assertThat(Augmentation.none().describe()).isEqualTo("none");
        assertThat(Augmentation.reflectPadCropFlip().describe())
                .isEqualTo("reflect-pad 4, random crop, horizontal flip");
        assertThat(Augmentation.zeroPadCropFlip().describe())
                .isEqualTo("zero-pad 4, random crop, horizontal flip");
        assertThat(Augmentation.padCropFlip(Augmentation.Padding.ZERO, 2, false).describe())
                .isEqualTo("zero-pad 2, random crop");
        assertThat(Augmentation.padCropFlip(Augmentation.Padding.REFLECT, 0, true).describe())
                .isEqualTo("horizontal flip");
    }
}
