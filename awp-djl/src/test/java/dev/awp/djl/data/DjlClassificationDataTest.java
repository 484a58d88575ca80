package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.translate.Pipeline;
import ai.djl.translate.Transform;
import ai.djl.util.Progress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DjlClassificationDataTest {

    private static final int SIZE = 50;
    private static final int FEATURES = 20;
    private static final int CLASSES = 3;

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** Feature 0 of example i is i / SIZE, so a batch row tells which example it is. */
    private NDArray features(int size) {
        float[] values = new float[size * FEATURES];
        for (int i = 0; i < size; i++) {
            values[i * FEATURES] = (float) i / size;
            for (int j = 1; j < FEATURES; j++) {
                values[i * FEATURES + j] = ((i * 7 + j * 13) % 100) / 100f;
            }
        }
        return manager.create(values, new Shape(size, FEATURES));
    }

    private static long[] classesOf(int size) {
        long[] labels = new long[size];
        Arrays.setAll(labels, i -> i % CLASSES);
        return labels;
    }

    private ArrayDataset dataset(NDArray data, NDArray labels) {
        return new ArrayDataset.Builder()
                .setData(data)
                .optLabels(labels)
                .setSampling(1, false)
                .build();
    }

    private ClassificationData tabular() {
        return ClassificationData.of(
                "tabular", dataset(features(SIZE), manager.create(classesOf(SIZE))), CLASSES);
    }

    /** What a batch held, copied out of the engine. */
    private record Seen(List<?> indices, Shape xShape, float[] x, DataType yType, long[] y) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Seen s
                    && indices.equals(s.indices)
                    && xShape.equals(s.xShape)
                    && Arrays.equals(x, s.x)
                    && yType == s.yType
                    && Arrays.equals(y, s.y);
        }

        @Override
        public int hashCode() {
            return indices.hashCode();
        }
    }

    private static List<Seen> read(Iterable<Batch> batches) {
        List<Seen> seen = new ArrayList<>();
        for (Batch batch : batches) {
            try (batch) {
                NDArray x = batch.getData().singletonOrThrow();
                NDArray y = batch.getLabels().singletonOrThrow();
                seen.add(
                        new Seen(
                                List.copyOf(batch.getIndices()),
                                x.getShape(),
                                x.toFloatArray(),
                                y.getDataType(),
                                y.toLongArray()));
            }
        }
        return seen;
    }

    private static List<Seen> epoch(ClassificationData data, long seed, int epoch) {
        NDManager owner = NDManager.newBaseManager();
        try (owner) {
            return read(data.trainingBatches(owner, 16, seed, epoch, Augmentation.none()));
        }
    }

    private static List<Integer> order(List<Seen> batches) {
        List<Integer> order = new ArrayList<>();
        for (Seen batch : batches) {
            for (Object index : batch.indices()) {
                order.add((Integer) index);
            }
        }
        return order;
    }

    @Nested
    class Determinism {
        @Test
        void should_give_identical_batches_for_the_same_seed_and_epoch() {
            ClassificationData data = tabular();

            assertThat(epoch(data, 5, 1)).isEqualTo(epoch(data, 5, 1));
        }

        @Test
        void should_give_identical_batches_across_two_adapters_of_the_same_data() {
            assertThat(epoch(tabular(), 5, 2)).isEqualTo(epoch(tabular(), 5, 2));
        }

        @Test
        void should_visit_the_examples_in_a_different_order_each_epoch() {
            ClassificationData data = tabular();

            assertThat(order(epoch(data, 5, 0))).isNotEqualTo(order(epoch(data, 5, 1)));
            assertThat(order(epoch(data, 5, 0))).isNotEqualTo(order(epoch(tabular(), 6, 0)));
        }

        @Test
        void should_make_random_djl_transforms_reproducible() {
            Transform noise = x -> x.add(x.getManager().randomUniform(0, 0.01f, x.getShape()));
            ArrayDataset noisy =
                    new ArrayDataset.Builder()
                            .setData(features(SIZE))
                            .optLabels(manager.create(classesOf(SIZE)))
                            .optPipeline(new Pipeline(noise))
                            .setSampling(1, false)
                            .build();
            ClassificationData data = ClassificationData.of(noisy, CLASSES);

            List<Seen> first = epoch(data, 5, 1);
            manager.randomUniform(0, 1, new Shape(7)); // draws between the epochs
            List<Seen> again = epoch(data, 5, 1);

            assertThat(again).isEqualTo(first);
            int index = (Integer) first.get(0).indices().get(0);
            assertThat(first.get(0).x()[0]).isNotEqualTo((float) index / SIZE); // noise applied
        }

        @Test
        void should_use_the_epoch_order_of_an_image_dataset_of_the_same_size() {
            int[] expected = SyntheticShapes.train(SIZE, 3).epochOrder(9, 4);

            assertThat(order(epoch(tabular(), 9, 4)))
                    .containsExactly(Arrays.stream(expected).boxed().toArray(Integer[]::new));
        }
    }

    @Nested
    class Batches {
        @Test
        void should_hold_every_example_exactly_once_per_epoch() {
            List<Seen> batches = epoch(tabular(), 3, 0);

            assertThat(batches).hasSize(4);
            assertThat(batches.get(3).xShape()).isEqualTo(new Shape(2, FEATURES));
            List<Integer> fromRows = new ArrayList<>();
            for (Seen batch : batches) {
                for (int row = 0; row < batch.y().length; row++) {
                    int index = Math.round(batch.x()[row * FEATURES] * SIZE);
                    fromRows.add(index);
                    assertThat(batch.indices().get(row)).isEqualTo(index);
                    assertThat(batch.y()[row]).isEqualTo(index % CLASSES);
                }
            }
            assertThat(fromRows).containsExactlyInAnyOrderElementsOf(range(SIZE));
        }

        @Test
        void should_give_evaluation_batches_in_dataset_order() {
            List<Seen> batches = read(tabular().evaluationBatches(manager, 16));

            assertThat(order(batches)).containsExactlyElementsOf(range(SIZE));
            assertThat(batches.get(0).x()[FEATURES]).isEqualTo(1f / SIZE);
        }

        @Test
        void should_take_the_input_shape_from_the_first_example() {
            ClassificationData data = tabular();

            assertThat(data.inputShape()).isEqualTo(new Shape(FEATURES));
            assertThat(data.size()).isEqualTo(SIZE);
            assertThat(data.numClasses()).isEqualTo(CLASSES);
            assertThat(data.numBatches(16)).isEqualTo(4);
            assertThat(data.name()).isEqualTo("tabular");
        }

        @Test
        void should_convert_inputs_to_float32_and_keep_batches_on_the_managers_device() {
            NDArray images =
                    manager.randomUniform(0, 1, new Shape(6, 1, 4, 4))
                            .toType(DataType.FLOAT64, false);
            ClassificationData data =
                    ClassificationData.of(dataset(images, manager.create(classesOf(6))), CLASSES);

            try (Batch batch = data.evaluationBatches(manager, 6).iterator().next()) {
                NDArray x = batch.getData().singletonOrThrow();
                assertThat(x.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(x.getShape()).isEqualTo(new Shape(6, 1, 4, 4));
                assertThat(x.getDevice()).isEqualTo(manager.getDevice());
                assertThat(x.toFloatArray())
                        .containsExactly(images.toType(DataType.FLOAT32, false).toFloatArray());
            }
            assertThat(data.name()).isEqualTo("ArrayDataset");
        }

        @Test
        void should_free_every_array_it_reads_when_the_batch_is_closed() {
            ClassificationData data = tabular();
            try (NDManager owner = manager.newSubManager()) {
                read(data.trainingBatches(owner, 16, 1, 0, Augmentation.none()));
                read(data.evaluationBatches(owner, 16));

                assertThat(((ai.djl.ndarray.BaseNDManager) owner).getManagedArrays()).isEmpty();
            }
        }

        @Test
        void should_reject_an_augmentation_and_point_to_djl_transforms() {
            ClassificationData data = tabular();

            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    data.trainingBatches(
                                            manager, 16, 1, 0, Augmentation.reflectPadCropFlip()))
                    .withMessageContaining("augmentation must be Augmentation.none()")
                    .withMessageContaining("add DJL transforms to the dataset's pipeline");
        }
    }

    @Nested
    class Labels {
        private long[] labelsOf(NDArray labels) {
            ClassificationData data =
                    ClassificationData.of(dataset(features(SIZE), labels), CLASSES);
            List<Seen> batches = read(data.evaluationBatches(manager, 16));
            assertThat(batches).allSatisfy(b -> assertThat(b.yType()).isEqualTo(DataType.INT64));
            return batches.stream().flatMapToLong(b -> Arrays.stream(b.y())).toArray();
        }

        @Test
        void should_keep_int64_labels_of_shape_b() {
            assertThat(labelsOf(manager.create(classesOf(SIZE)))).containsExactly(classesOf(SIZE));
        }

        @Test
        void should_turn_float32_labels_of_shape_b_1_into_int64_of_shape_b() {
            NDArray labels =
                    manager.create(classesOf(SIZE))
                            .toType(DataType.FLOAT32, false)
                            .reshape(SIZE, 1);

            assertThat(labelsOf(labels)).containsExactly(classesOf(SIZE));
        }

        @Test
        void should_turn_int32_labels_into_int64() {
            NDArray labels = manager.create(classesOf(SIZE)).toType(DataType.INT32, false);

            assertThat(labelsOf(labels)).containsExactly(classesOf(SIZE));
        }

        @Test
        void should_reject_a_non_integral_float_label_naming_the_example() {
            float[] labels = new float[SIZE];
            labels[17] = 1.5f;

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> labelsOf(manager.create(labels)))
                    .withMessage(
                            "the label of example 17 must be an integral class index but was 1.5");
        }

        @Test
        void should_reject_a_label_outside_the_classes_naming_the_example() {
            long[] labels = classesOf(SIZE);
            labels[33] = CLASSES;

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> labelsOf(manager.create(labels)))
                    .withMessage("the label of example 33 must be in [0, 3) but was 3");
        }

        @Test
        void should_reject_a_negative_label() {
            long[] labels = classesOf(SIZE);
            labels[2] = -1;

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> labelsOf(manager.create(labels)))
                    .withMessage("the label of example 2 must be in [0, 3) but was -1");
        }

        @Test
        void should_reject_labels_of_another_shape() {
            NDArray labels = manager.zeros(new Shape(SIZE, 2), DataType.INT64);

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> labelsOf(labels))
                    .withMessage(
                            "the labels of examples from 0 must stack to (16) or (16, 1) but"
                                    + " stacked to (16, 2)");
        }
    }

    @Nested
    class Inputs {
        @Test
        void should_reject_a_non_finite_input_naming_the_example_and_the_value() {
            NDArray data = features(SIZE);
            data.set(new ai.djl.ndarray.index.NDIndex("21, 4"), Float.NaN);
            ClassificationData adapter =
                    ClassificationData.of(dataset(data, manager.create(classesOf(SIZE))), CLASSES);

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> read(adapter.evaluationBatches(manager, 16)))
                    .withMessage("inputs must be finite but example 21 had NaN at flat position 4");
        }

        @Test
        void should_reject_an_example_whose_shape_differs_from_the_first() {
            ClassificationData data = ClassificationData.of(new Ragged(), CLASSES);

            assertThat(data.inputShape()).isEqualTo(new Shape(4));
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> read(data.evaluationBatches(manager, 4)))
                    .withMessage(
                            "the input of example 2 must have shape (4) (that of example 0) but"
                                    + " was (5)");
        }

        @Test
        void should_prepare_the_dataset() {
            Ragged ragged = new Ragged();

            ClassificationData.of(ragged, CLASSES);

            assertThat(ragged.prepared).isTrue();
        }

        @Test
        void should_reject_records_with_two_data_arrays() {
            ArrayDataset twoInputs =
                    new ArrayDataset.Builder()
                            .setData(features(SIZE), features(SIZE))
                            .optLabels(manager.create(classesOf(SIZE)))
                            .setSampling(1, false)
                            .build();

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> ClassificationData.of(twoInputs, CLASSES))
                    .withMessage("a record must hold one data array but example 0 held 2");
        }

        @Test
        void should_reject_fewer_than_two_classes() {
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    ClassificationData.of(
                                            dataset(features(4), manager.create(classesOf(4))), 1))
                    .withMessage("numClasses must be >= 2 but was 1");
        }
    }

    @Nested
    class Subsets {
        @Test
        void should_draw_the_same_subset_for_the_same_seed() {
            ClassificationData data = tabular();

            List<Seen> first = read(data.subset(20, 4).evaluationBatches(manager, 8));
            List<Seen> second = read(tabular().subset(20, 4).evaluationBatches(manager, 8));
            List<Seen> other = read(data.subset(20, 5).evaluationBatches(manager, 8));

            assertThat(first).isEqualTo(second);
            assertThat(other).isNotEqualTo(first);
        }

        @Test
        void should_hold_distinct_examples_of_the_dataset_in_their_order() {
            ClassificationData subset = tabular().subset(20, 4);

            List<Integer> examples = new ArrayList<>();
            for (Seen batch : read(subset.evaluationBatches(manager, 8))) {
                for (int row = 0; row < batch.y().length; row++) {
                    examples.add(Math.round(batch.x()[row * FEATURES] * SIZE));
                }
            }

            assertThat(subset.size()).isEqualTo(20);
            assertThat(subset.name()).isEqualTo("tabular[subset of 20, seed 4]");
            assertThat(examples).hasSize(20).doesNotHaveDuplicates().isSorted();
            assertThat(examples).allSatisfy(i -> assertThat(i).isBetween(0, SIZE - 1));
        }

        @Test
        void should_draw_subsets_of_subsets_from_the_subset() {
            DjlClassificationData subset = (DjlClassificationData) tabular().subset(20, 4);
            DjlClassificationData nested = (DjlClassificationData) subset.subset(5, 1);

            List<Integer> outer = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                outer.add(subset.datasetIndex(i));
            }
            for (int i = 0; i < 5; i++) {
                assertThat(outer).contains(nested.datasetIndex(i));
            }
        }

        @Test
        void should_reject_a_size_out_of_range() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> tabular().subset(SIZE + 1, 1))
                    .withMessage("size must be in [1, 50] but was 51");
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(i);
        }
        return values;
    }

    /** Four feature vectors of length 4, except example 2 of length 5. */
    private static final class Ragged extends RandomAccessDataset {
        boolean prepared;

        Ragged() {
            super(new Builder().setSampling(1, false));
        }

        @Override
        public Record get(NDManager manager, long index) {
            NDArray x = manager.zeros(new Shape(index == 2 ? 5 : 4));
            return new Record(new NDList(x), new NDList(manager.create(index % 2)));
        }

        @Override
        protected long availableSize() {
            return 4;
        }

        @Override
        public void prepare(Progress progress) {
            prepared = true;
        }

        private static final class Builder extends BaseBuilder<Builder> {
            @Override
            protected Builder self() {
                return this;
            }
        }
    }
}
