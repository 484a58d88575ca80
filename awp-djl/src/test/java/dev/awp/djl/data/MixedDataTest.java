package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link ClassificationData#mixed}: exact counts per batch and per epoch, every labelled example
 * once per epoch, extra examples without repetition within a pass, and batches that are a function
 * of {@code (seed, epoch)} only.
 */
class MixedDataTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /**
     * {@code n} images whose first pixel is {@code first + i} (an id), labelled {@code label}: the
     * labelled source gets class 0 and the extra source class 1, so a batch's labels count them.
     */
    private static ImageDataset images(String name, int n, int first, int label) {
        byte[] pixels = new byte[n * ImageDataset.IMAGE_BYTES];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            pixels[i * ImageDataset.IMAGE_BYTES] = (byte) (first + i);
            labels[i] = label;
        }
        return ImageDataset.of(name, pixels, labels, 10);
    }

    /** One example of a batch: its id and source (label). */
    record Example(int id, int label) {}

    private List<List<Example>> epoch(ClassificationData data, int batchSize, long seed, int e) {
        List<List<Example>> batches = new ArrayList<>();
        for (Batch batch : data.trainingBatches(manager, batchSize, seed, e, Augmentation.none())) {
            try (batch) {
                float[] x = batch.getData().head().toFloatArray();
                long[] y = batch.getLabels().head().toLongArray();
                List<Example> examples = new ArrayList<>();
                for (int i = 0; i < y.length; i++) {
                    int id = Math.round(x[i * ImageDataset.IMAGE_BYTES] * 255f);
                    examples.add(new Example(id, (int) y[i]));
                }
                assertThat(batch.getSize()).isEqualTo(y.length);
                batches.add(examples);
            }
        }
        return batches;
    }

    private static long count(List<Example> batch, int label) {
        return batch.stream().filter(e -> e.label() == label).count();
    }

    @Nested
    class Counts {
        private final ClassificationData mixed =
                ClassificationData.mixed(images("l", 50, 0, 0), images("u", 100, 100, 1), 0.5);

        @Test
        void should_put_half_of_every_full_batch_from_the_extra_source() {
            List<List<Example>> batches = epoch(mixed, 16, 3, 0);

            assertThat(batches).hasSize(mixed.numBatches(16)).hasSize(7); // ceil(50 / 8)
            for (List<Example> batch : batches.subList(0, 6)) {
                assertThat(count(batch, 0)).isEqualTo(8);
                assertThat(count(batch, 1)).isEqualTo(8);
            }
            List<Example> last = batches.get(6); // 2 labelled left: 2 extra keep the ratio
            assertThat(count(last, 0)).isEqualTo(2);
            assertThat(count(last, 1)).isEqualTo(2);
        }

        @Test
        void should_use_every_labelled_example_once_and_extra_ones_without_repetition() {
            List<Example> all = epoch(mixed, 16, 3, 0).stream().flatMap(List::stream).toList();

            assertThat(all.stream().filter(e -> e.label() == 0).map(Example::id))
                    .hasSize(50)
                    .doesNotHaveDuplicates();
            assertThat(all.stream().filter(e -> e.label() == 1).map(Example::id))
                    .hasSize(50)
                    .doesNotHaveDuplicates()
                    .allMatch(id -> id >= 100 && id < 200);
        }

        @Test
        void should_mix_70_percent_as_the_generated_data_recipes_do() {
            ClassificationData seventy =
                    ClassificationData.mixed(images("l", 30, 0, 0), images("g", 200, 50, 1), 0.7);
            List<List<Example>> batches = epoch(seventy, 10, 1, 2);

            assertThat(batches).hasSize(10); // 3 labelled + 7 generated per batch
            assertThat(batches).allSatisfy(b -> assertThat(count(b, 1)).isEqualTo(7));
            assertThat(batches).allSatisfy(b -> assertThat(count(b, 0)).isEqualTo(3));
        }

        @Test
        void should_start_a_new_pass_when_the_extra_source_is_used_up() {
            ClassificationData small =
                    ClassificationData.mixed(images("l", 50, 0, 0), images("u", 20, 100, 1), 0.5);
            List<Example> extra =
                    epoch(small, 16, 3, 0).stream()
                            .flatMap(List::stream)
                            .filter(e -> e.label() == 1)
                            .toList();

            assertThat(extra).hasSize(50);
            Map<Integer, Integer> uses = new HashMap<>();
            extra.forEach(e -> uses.merge(e.id(), 1, Integer::sum));
            assertThat(uses).hasSize(20);
            assertThat(uses.values()).allMatch(n -> n == 2 || n == 3);
            // the first pass uses all 20 before any repeats
            assertThat(extra.subList(0, 20).stream().map(Example::id)).doesNotHaveDuplicates();
        }
    }

    @Nested
    class Determinism {
        private final ClassificationData mixed =
                ClassificationData.mixed(images("l", 40, 0, 0), images("u", 60, 100, 1), 0.5);

        @Test
        void should_give_the_same_batches_for_the_same_seed_and_epoch() {
            List<List<Example>> first = epoch(mixed, 8, 5, 1);
            epoch(mixed, 8, 5, 0); // whatever was iterated before
            assertThat(epoch(mixed, 8, 5, 1)).isEqualTo(first);
        }

        @Test
        void should_draw_other_batches_for_another_epoch_or_seed() {
            assertThat(epoch(mixed, 8, 5, 2)).isNotEqualTo(epoch(mixed, 8, 5, 1));
            assertThat(epoch(mixed, 8, 6, 1)).isNotEqualTo(epoch(mixed, 8, 5, 1));
        }
    }

    @Test
    void should_evaluate_and_subset_the_labelled_data_only() {
        ClassificationData mixed =
                ClassificationData.mixed(images("l", 40, 0, 0), images("u", 60, 100, 1), 0.5);

        assertThat(mixed.size()).isEqualTo(100);
        assertThat(mixed.subset(10, 1).size()).isEqualTo(10);
        long extra = 0;
        for (Batch batch : mixed.evaluationBatches(manager, 16)) {
            try (batch) {
                for (long y : batch.getLabels().head().toLongArray()) {
                    extra += y;
                }
            }
        }
        assertThat(extra).isZero();
    }

    @Test
    void should_reject_a_batch_without_room_for_both_sources() {
        ClassificationData mixed =
                ClassificationData.mixed(images("l", 40, 0, 0), images("u", 60, 100, 1), 0.1);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> mixed.numBatches(4))
                .withMessageStartingWith(
                        "round(extraFraction · batchSize) must be in [1, batchSize - 1] but was 0");
    }

    @Test
    void should_reject_sources_with_other_classes() {
        ImageDataset five =
                ImageDataset.of("five", new byte[ImageDataset.IMAGE_BYTES], new int[1], 5);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> ClassificationData.mixed(images("l", 4, 0, 0), five, 0.5))
                .withMessage("extra.numClasses must be the labelled data's (10) but was 5");
    }
}
