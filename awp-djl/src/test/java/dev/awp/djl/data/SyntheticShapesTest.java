package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SyntheticShapesTest {

    private static byte[] allBytes(ImageDataset dataset) {
        byte[] all = new byte[dataset.size() * ImageDataset.IMAGE_BYTES];
        for (int i = 0; i < dataset.size(); i++) {
            System.arraycopy(
                    dataset.image(i),
                    0,
                    all,
                    i * ImageDataset.IMAGE_BYTES,
                    ImageDataset.IMAGE_BYTES);
        }
        return all;
    }

    @Nested
    class Determinism {
        @Test
        void should_generate_the_same_bytes_for_the_same_seed() {
            assertThat(allBytes(SyntheticShapes.train(50, 7)))
                    .isEqualTo(allBytes(SyntheticShapes.train(50, 7)));
        }

        @Test
        void should_generate_different_images_for_another_seed_or_split() {
            byte[] train = allBytes(SyntheticShapes.train(50, 7));
            assertThat(allBytes(SyntheticShapes.train(50, 8))).isNotEqualTo(train);
            assertThat(allBytes(SyntheticShapes.test(50, 7))).isNotEqualTo(train);
        }

        @Test
        void should_make_a_smaller_dataset_a_prefix_of_a_larger_one() {
            byte[] small = allBytes(SyntheticShapes.test(20, 3));
            byte[] large = allBytes(SyntheticShapes.test(35, 3));
            assertThat(Arrays.copyOf(large, small.length)).isEqualTo(small);
        }

        @Test
        void should_keep_the_documented_generator_unchanged() {
            // golden value: changes only if the generation documented in the Javadoc changes
            CRC32 crc = new CRC32();
            crc.update(allBytes(SyntheticShapes.train(30, 42)));
            assertThat(Long.toHexString(crc.getValue())).isEqualTo("500c56d3");
        }
    }

    @Nested
    class Content {
        @Test
        void should_balance_the_classes() {
            ImageDataset dataset = SyntheticShapes.train(1000, 1);
            assertThat(dataset.numClasses()).isEqualTo(10);
            assertThat(dataset.classCounts()).containsOnly(100);
            assertThat(SyntheticShapes.test(25, 1).classCounts())
                    .containsExactly(3, 3, 3, 3, 3, 2, 2, 2, 2, 2);
        }

        @Test
        void should_use_the_whole_pixel_range_without_constant_images() {
            ImageDataset dataset = SyntheticShapes.train(200, 5);
            int min = 255;
            int max = 0;
            for (int i = 0; i < dataset.size(); i++) {
                byte[] image = dataset.image(i);
                int imageMin = 255;
                int imageMax = 0;
                for (byte b : image) {
                    imageMin = Math.min(imageMin, Byte.toUnsignedInt(b));
                    imageMax = Math.max(imageMax, Byte.toUnsignedInt(b));
                }
                assertThat(imageMax - imageMin).as("contrast of image %s", i).isGreaterThan(60);
                min = Math.min(min, imageMin);
                max = Math.max(max, imageMax);
            }
            assertThat(min).isZero();
            assertThat(max).isEqualTo(255);
        }

        @Test
        void should_not_reveal_the_class_by_mean_colour() {
            // mean intensity per class stays close to the overall mean: colours carry no class
            ImageDataset dataset = SyntheticShapes.train(2000, 11);
            double[] sums = new double[10];
            double total = 0;
            for (int i = 0; i < dataset.size(); i++) {
                double mean = 0;
                for (byte b : dataset.image(i)) {
                    mean += Byte.toUnsignedInt(b);
                }
                mean /= ImageDataset.IMAGE_BYTES;
                sums[dataset.label(i)] += mean;
                total += mean;
            }
            double overall = total / dataset.size();
            for (double sum : sums) {
                assertThat(sum / 200).isCloseTo(overall, org.assertj.core.data.Offset.offset(8.0));
            }
        }

        @Test
        void should_name_the_classes() {
            assertThat(SyntheticShapes.classNames())
                    .hasSize(SyntheticShapes.NUM_CLASSES)
                    .startsWith("disc", "square", "triangle")
                    .endsWith("checker", "dots");
        }
    }

    @Test
    void should_reject_an_empty_dataset() {
        assertThatThrownBy(() -> SyntheticShapes.train(0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("size must be in [1, ")
                .hasMessageEndingWith("] but was 0");
    }
}
