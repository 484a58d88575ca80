package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import ai.djl.ndarray.NDArray;
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
                        "the batch counts of the labelled data and the extra source must all be"
                                + " >= 1 but were [4, 0] (fractions [0.1], batchSize 4)");
    }

    @Test
    void should_reject_sources_with_other_classes() {
        ImageDataset five =
                ImageDataset.of("five", new byte[ImageDataset.IMAGE_BYTES], new int[1], 5);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> ClassificationData.mixed(images("l", 4, 0, 0), five, 0.5))
                .withMessage("extra.numClasses must be the labelled data's (10) but was 5");
    }

    /** Labelled (class 0) data, 0.3 from source a (class 1) and 0.4 from source b (class 2). */
    @Nested
    class SeveralSources {
        private final ClassificationData labelled = images("l", 45, 0, 0);
        private final ClassificationData a = images("a", 70, 100, 1);
        private final ClassificationData b = images("b", 80, 170, 2);

        private ClassificationData mixed(double weightB) {
            return ClassificationData.mixed(
                    labelled, 1, List.of(MixedSource.of(a, 0.3), new MixedSource(b, 0.4, weightB)));
        }

        @Test
        void should_fill_every_full_batch_by_the_largest_remainder() {
            // B = 7: quotas 2.1 labelled, 2.1 a, 2.8 b; floors 2, 2, 2; the 7th goes to b (0.8)
            List<List<Example>> batches = epoch(mixed(1), 7, 3, 0);

            assertThat(batches).hasSize(mixed(1).numBatches(7)).hasSize(23); // ceil(45 / 2)
            for (List<Example> batch : batches.subList(0, 22)) {
                assertThat(batch).hasSize(7);
                assertThat(count(batch, 0)).isEqualTo(2);
                assertThat(count(batch, 1)).isEqualTo(2);
                assertThat(count(batch, 2)).isEqualTo(3);
            }
            // the last batch: 1 labelled, round(1·2/2) = 1 of a, round(1·3/2) = 2 of b
            List<Example> last = batches.get(22);
            assertThat(List.of(count(last, 0), count(last, 1), count(last, 2)))
                    .containsExactly(1L, 1L, 2L);
        }

        @Test
        void should_give_exact_counts_over_an_epoch_and_read_the_labelled_data_once() {
            // B = 10: quotas 3, 3, 4 exactly; 15 batches of 3 labelled
            List<Example> all = epoch(mixed(1), 10, 3, 1).stream().flatMap(List::stream).toList();

            assertThat(all.stream().filter(e -> e.label() == 0).map(Example::id))
                    .hasSize(45)
                    .doesNotHaveDuplicates();
            assertThat(all.stream().filter(e -> e.label() == 1).map(Example::id))
                    .hasSize(45)
                    .doesNotHaveDuplicates()
                    .allMatch(id -> id >= 100 && id < 170);
            assertThat(all.stream().filter(e -> e.label() == 2).map(Example::id))
                    .hasSize(60)
                    .doesNotHaveDuplicates()
                    .allMatch(id -> id >= 170 && id < 250);
        }

        @Test
        void should_be_a_function_of_seed_and_epoch_only() {
            ClassificationData data = mixed(1);
            List<List<Example>> first = epoch(data, 10, 5, 1);
            epoch(data, 10, 5, 0); // whatever was iterated before
            assertThat(epoch(mixed(1), 10, 5, 1)).isEqualTo(first);
            assertThat(epoch(data, 10, 5, 2)).isNotEqualTo(first);
            assertThat(epoch(data, 10, 6, 1)).isNotEqualTo(first);
        }

        @Test
        void should_draw_each_source_in_its_own_order() {
            // a and b hold the same ids: their orders must still differ
            ClassificationData twins =
                    ClassificationData.mixed(
                            labelled,
                            1,
                            List.of(
                                    MixedSource.of(images("a", 70, 100, 1), 0.3),
                                    MixedSource.of(images("b", 70, 100, 2), 0.3)));
            List<Example> all = epoch(twins, 10, 3, 0).stream().flatMap(List::stream).toList();

            List<Integer> fromA =
                    all.stream().filter(e -> e.label() == 1).map(Example::id).toList();
            List<Integer> fromB =
                    all.stream().filter(e -> e.label() == 2).map(Example::id).toList();
            assertThat(fromA).hasSameSizeAs(fromB).isNotEqualTo(fromB);
        }

        @Test
        void should_carry_loss_weights_only_when_a_weight_is_not_1() {
            for (Batch batch : mixed(1).trainingBatches(manager, 7, 3, 0, Augmentation.none())) {
                try (batch) {
                    assertThat(batch.getLabels()).hasSize(1);
                }
            }
            for (Batch batch : mixed(0.5).trainingBatches(manager, 7, 3, 0, Augmentation.none())) {
                try (batch) {
                    assertThat(batch.getLabels()).hasSize(2);
                    NDArray weights = batch.getLabels().get(1);
                    assertThat(weights.getName()).isEqualTo(ClassificationData.LOSS_WEIGHTS);
                    long[] y = batch.getLabels().head().toLongArray();
                    float[] w = weights.toFloatArray();
                    for (int i = 0; i < y.length; i++) {
                        assertThat(w[i]).isEqualTo(y[i] == 2 ? 0.5f : 1f);
                    }
                }
            }
            assertThat(mixed(0.5).name())
                    .isEqualTo(
                            "l + 0.3 of each batch from a + 0.4 of each batch from b (loss weight"
                                    + " 0.5)");
        }

        @Test
        void should_reject_fractions_that_leave_no_labelled_share() {
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    ClassificationData.mixed(
                                            labelled,
                                            1,
                                            List.of(
                                                    MixedSource.of(a, 0.6),
                                                    MixedSource.of(b, 0.4))))
                    .withMessage(
                            "the sources' fractions must sum to less than 1 but summed to 1.0");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new MixedSource(a, 0.3, 0))
                    .withMessage("lossWeight must be > 0 but was 0.0");
        }
    }
}
