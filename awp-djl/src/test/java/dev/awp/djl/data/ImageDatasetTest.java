package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import dev.awp.djl.internal.SplitMix64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {

    private static final int SIZE = 10;

    /** Image i has every byte equal to 10·i + channel, and label i mod 3. */
    private static ImageDataset tiny() {
        byte[] images = new byte[SIZE * ImageDataset.IMAGE_BYTES];
        int[] labels = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            for (int c = 0; c < 3; c++) {
                int from = i * ImageDataset.IMAGE_BYTES + c * 1024;
                Arrays.fill(images, from, from + 1024, (byte) (10 * i + c));
            }
            labels[i] = i % 3;
        }
        return ImageDataset.of("tiny", images, labels, 3);
    }

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** The image number of each example of a batch, read back from its pixels. */
    private static int[] imageNumbers(Batch batch) {
        NDArray x = batch.getData().head();
        float[] values = x.toFloatArray();
        int[] numbers = new int[batch.getSize()];
        for (int i = 0; i < numbers.length; i++) {
            numbers[i] = Math.round(values[i * ImageDataset.IMAGE_BYTES] * 255) / 10;
        }
        return numbers;
    }

    @Nested
    class Construction {
        @Test
        void should_copy_the_arrays_it_is_given() {
            byte[] images = new byte[ImageDataset.IMAGE_BYTES];
            int[] labels = {1};
            ImageDataset dataset = ImageDataset.of("one", images, labels, 2);
            images[0] = 5;
            labels[0] = 0;
            assertThat(dataset.image(0)[0]).isZero();
            assertThat(dataset.label(0)).isEqualTo(1);
            assertThat(dataset).hasToString("one (1 images, 2 classes)");
        }

        @Test
        void should_reject_a_label_out_of_range() {
            assertThatThrownBy(
                            () ->
                                    ImageDataset.of(
                                            "bad",
                                            new byte[2 * ImageDataset.IMAGE_BYTES],
                                            new int[] {0, 3},
                                            3))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("labels must be in [0, 3) but labels[1] was 3");
        }

        @Test
        void should_reject_images_of_the_wrong_size() {
            assertThatThrownBy(() -> ImageDataset.of("bad", new byte[100], new int[] {0}, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("images must hold 3072 bytes (1 labels × 3072) but held 100");
        }

        @Test
        void should_count_classes() {
            assertThat(tiny().classCounts()).containsExactly(4, 3, 3);
            assertThat(tiny().labels()).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2, 0);
        }
    }

    @Nested
    class EpochOrder {
        @Test
        void should_be_a_permutation_fixed_by_seed_and_epoch() {
            ImageDataset dataset = tiny();
            int[] order = dataset.epochOrder(7, 0);

            assertThat(order).containsExactlyInAnyOrder(IntStream.range(0, SIZE).toArray());
            assertThat(dataset.epochOrder(7, 0)).isEqualTo(order);
            assertThat(dataset.epochOrder(7, 1)).isNotEqualTo(order);
            assertThat(dataset.epochOrder(8, 0)).isNotEqualTo(order);
        }

        @Test
        void should_reject_a_negative_epoch() {
            assertThatThrownBy(() -> tiny().epochOrder(1, -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("epoch must be >= 0 but was -1");
        }
    }

    @Nested
    class TrainingBatches {
        @Test
        void should_visit_the_epoch_order_in_batches_with_a_smaller_last_one() {
            ImageDataset dataset = tiny();
            List<Integer> visited = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            for (Batch batch : dataset.trainingBatches(manager, 4, 3, 2, Augmentation.none())) {
                try (batch) {
                    sizes.add(batch.getSize());
                    for (int n : imageNumbers(batch)) {
                        visited.add(n);
                    }
                    assertThat(batch.getIndices()).isEqualTo(toList(imageNumbers(batch)));
                    assertThat(batch.getProgressTotal()).isEqualTo(3);
                }
            }
            assertThat(sizes).containsExactly(4, 4, 2);
            assertThat(visited).isEqualTo(toList(dataset.epochOrder(3, 2)));
            assertThat(dataset.numBatches(4)).isEqualTo(3);
        }

        @Test
        void should_hold_float_pixels_in_the_unit_interval_and_int64_labels() {
            ImageDataset dataset = tiny();
            for (Batch batch : dataset.trainingBatches(manager, 4, 0, 0, Augmentation.none())) {
                try (batch) {
                    NDArray x = batch.getData().singletonOrThrow();
                    NDArray y = batch.getLabels().singletonOrThrow();
                    int[] numbers = imageNumbers(batch);

                    assertThat(x.getDataType()).isEqualTo(DataType.FLOAT32);
                    assertThat(x.getShape()).isEqualTo(new Shape(numbers.length, 3, 32, 32));
                    assertThat(x.getDevice()).isEqualTo(manager.getDevice());
                    assertThat(y.getDataType()).isEqualTo(DataType.INT64);
                    assertThat(y.getShape()).isEqualTo(new Shape(numbers.length));
                    for (int i = 0; i < numbers.length; i++) {
                        int n = numbers[i];
                        assertThat(x.getFloat(i, 2, 31, 31)).isEqualTo((10 * n + 2) / 255f);
                        assertThat(y.getLong(i)).isEqualTo(n % 3);
                    }
                }
            }
        }

        @Test
        void should_give_the_same_augmented_batches_for_the_same_seed() {
            ImageDataset dataset = SyntheticShapes.train(20, 1);
            float[] first = firstBatch(dataset, 5, Augmentation.reflectPadCropFlip());
            float[] again = firstBatch(dataset, 5, Augmentation.reflectPadCropFlip());
            float[] otherSeed = firstBatch(dataset, 6, Augmentation.reflectPadCropFlip());
            float[] plain = firstBatch(dataset, 5, Augmentation.none());

            assertThat(again).isEqualTo(first);
            assertThat(otherSeed).isNotEqualTo(first);
            assertThat(plain).isNotEqualTo(first);
        }

        @Test
        void should_leave_no_array_behind_once_the_batches_are_closed() {
            ImageDataset dataset = tiny();
            for (Batch batch : dataset.trainingBatches(manager, 3, 1, 0, Augmentation.none())) {
                batch.close();
            }
            assertThat(manager.getManagedArrays()).isEmpty();
        }

        private float[] firstBatch(ImageDataset dataset, long seed, Augmentation augmentation) {
            try (Batch batch =
                    dataset.trainingBatches(manager, 8, seed, 0, augmentation).iterator().next()) {
                return batch.getData().head().toFloatArray();
            }
        }
    }

    @Nested
    class EvaluationBatches {
        @Test
        void should_visit_images_in_dataset_order() {
            List<Integer> visited = new ArrayList<>();
            for (Batch batch : tiny().evaluationBatches(manager, 6)) {
                try (batch) {
                    for (int n : imageNumbers(batch)) {
                        visited.add(n);
                    }
                }
            }
            assertThat(visited).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }

        @Test
        void should_build_a_batch_of_chosen_images() {
            try (Batch batch = tiny().batch(manager, 9, 2, 2)) {
                assertThat(imageNumbers(batch)).containsExactly(9, 2, 2);
                assertThat(batch.getLabels().head().toLongArray()).containsExactly(0, 2, 2);
            }
        }
    }

    /** Six 1×28×28 images: pixel (y, x) of image i is (i·40 + y + x) mod 256; label i mod 2. */
    private static ImageDataset greyscale() {
        int n = 6;
        byte[] images = new byte[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    images[i * 784 + y * 28 + x] = (byte) (i * 40 + y + x);
                }
            }
            labels[i] = i % 2;
        }
        return ImageDataset.of("grey", 1, 28, 28, images, labels, 2);
    }

    @Nested
    class AnyShape {
        @Test
        void should_report_its_shape_and_batch_it_as_such() {
            ImageDataset dataset = greyscale();

            assertThat(dataset.inputShape()).isEqualTo(new Shape(1, 28, 28));
            assertThat(dataset.channels()).isEqualTo(1);
            assertThat(dataset.height()).isEqualTo(28);
            assertThat(dataset.width()).isEqualTo(28);
            assertThat(dataset.imageBytes()).isEqualTo(784);
            assertThat(dataset.image(5)).hasSize(784);
            assertThat(dataset.image(5)[27 * 28 + 27]).isEqualTo((byte) (200 + 54));
            assertThat(dataset.classCounts()).containsExactly(3, 3);
            try (Batch batch = dataset.batch(manager, 5, 1)) {
                NDArray x = batch.getData().singletonOrThrow();
                assertThat(x.getShape()).isEqualTo(new Shape(2, 1, 28, 28));
                assertThat(x.getFloat(0, 0, 27, 26)).isEqualTo(((200 + 53) & 0xff) / 255f);
                assertThat(x.getFloat(1, 0, 3, 4)).isEqualTo((40 + 7) / 255f);
                assertThat(batch.getLabels().head().toLongArray()).containsExactly(1, 1);
            }
        }

        @Test
        void should_keep_the_shape_in_subsets_and_evaluation_batches() {
            ImageDataset dataset =
                    ImageDataset.of("wide", 2, 3, 5, new byte[4 * 30], new int[] {0, 1, 2, 0}, 3);
            ImageDataset subset = dataset.subset(3, 7);

            assertThat(subset.inputShape()).isEqualTo(new Shape(2, 3, 5));
            assertThat(subset.image(0)).hasSize(30);
            int seen = 0;
            for (Batch batch : dataset.evaluationBatches(manager, 3)) {
                try (batch) {
                    assertThat(batch.getData().head().getShape().slice(1))
                            .isEqualTo(new Shape(2, 3, 5));
                    seen += batch.getSize();
                }
            }
            assertThat(seen).isEqualTo(4);
        }

        @Test
        void should_augment_every_image_as_the_augmentation_defines_it() {
            ImageDataset dataset = greyscale();
            Augmentation augmentation = Augmentation.reflectPadCropFlip();
            float[] first = firstBatch(dataset, 3, augmentation);
            float[] again = firstBatch(dataset, 3, augmentation);
            float[] plain = firstBatch(dataset, 3, Augmentation.none());

            assertThat(first).hasSize(6 * 784).isEqualTo(again).isNotEqualTo(plain);
            // each augmented image is a crop-and-flip of the image the epoch order put there
            int[] order = dataset.epochOrder(3, 0);
            SplitMix64 rng = SplitMix64.derive(3, ImageDataset.AUGMENT_STREAM, 0, 0);
            byte[] expected = new byte[784];
            for (int i = 0; i < order.length; i++) {
                augmentation.apply(dataset.image(order[i]), 0, expected, 0, 1, 28, 28, rng);
                for (int p = 0; p < 784; p++) {
                    assertThat(first[i * 784 + p]).isEqualTo((expected[p] & 0xff) / 255f);
                }
            }
        }

        @Test
        void should_reject_reflect_padding_wider_than_its_images() {
            ImageDataset dataset =
                    ImageDataset.of("small", 1, 4, 4, new byte[32], new int[] {0, 1}, 2);

            assertThatThrownBy(
                            () ->
                                    dataset.trainingBatches(
                                            manager, 2, 0, 0, Augmentation.reflectPadCropFlip()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "pad must be less than the image height and width (4×4) with reflect"
                                    + " padding but was 4");
        }

        @Test
        void should_reject_images_of_the_wrong_size_for_the_shape() {
            assertThatThrownBy(
                            () ->
                                    ImageDataset.of(
                                            "bad", 1, 28, 28, new byte[784], new int[] {0, 1}, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("images must hold 1568 bytes (2 labels × 784) but held 784");
        }

        @Test
        void should_reject_a_dimension_that_is_not_positive() {
            assertThatThrownBy(
                            () -> ImageDataset.of("bad", 1, 0, 28, new byte[0], new int[] {0}, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("height must be >= 1 but was 0");
        }

        private float[] firstBatch(ImageDataset dataset, long seed, Augmentation augmentation) {
            try (Batch batch =
                    dataset.trainingBatches(manager, 8, seed, 0, augmentation).iterator().next()) {
                return batch.getData().head().toFloatArray();
            }
        }
    }

    @Nested
    class Subset {
        @Test
        void should_pick_a_fixed_random_subset_in_dataset_order() {
            ImageDataset dataset = SyntheticShapes.train(100, 3);
            ImageDataset subset = dataset.subset(10, 99);

            assertThat(subset.size()).isEqualTo(10);
            assertThat(subset.numClasses()).isEqualTo(10);
            assertThat(subset.name()).isEqualTo(dataset.name() + "[subset of 10, seed 99]");
            assertThat(sameImages(subset, dataset.subset(10, 99))).isTrue();
            assertThat(sameImages(subset, dataset.subset(10, 100))).isFalse();
            int previous = -1;
            for (int i = 0; i < subset.size(); i++) {
                int source = find(dataset, subset.image(i));
                assertThat(source).isGreaterThan(previous);
                assertThat(subset.label(i)).isEqualTo(dataset.label(source));
                previous = source;
            }
        }

        @Test
        void should_reject_sizes_out_of_range() {
            assertThatThrownBy(() -> tiny().subset(11, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("size must be in [1, 10] but was 11");
        }

        private boolean sameImages(ImageDataset a, ImageDataset b) {
            for (int i = 0; i < a.size(); i++) {
                if (!Arrays.equals(a.image(i), b.image(i))) {
                    return false;
                }
            }
            return true;
        }

        private int find(ImageDataset dataset, byte[] image) {
            for (int i = 0; i < dataset.size(); i++) {
                if (Arrays.equals(dataset.image(i), image)) {
                    return i;
                }
            }
            return -1;
        }
    }

    private static List<Integer> toList(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
