package dev.awp.djl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Progress;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.awp.djl.internal.NoProgress;
import dev.awp.djl.model.SmallCnn;
import dev.awp.report.Accuracy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PseudoLabels}: the arg-max of the model's inference logits per image, their accuracy
 * against true labels, and a labels file that is saved, reloaded, resumed and refused for another
 * pool or model.
 */
class PseudoLabelsTest {

    private static final ImageDataset POOL = SyntheticShapes.train(50, 4);

    @TempDir Path dir;

    private Model model;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(7);
        model = Model.newInstance("classifier");
        model.setBlock(SmallCnn.builder().setNumClasses(10).optWidth(2).optHiddenUnits(8).build());
        model.getBlock()
                .initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
    }

    @AfterEach
    void tearDown() {
        model.close();
    }

    /** The arg-max of the logits of the whole pool in one inference forward. */
    private int[] argMax() {
        try (var scope = model.getNDManager().newSubManager();
                Batch all = POOL.batch(scope, IntStream.range(0, POOL.size()).toArray())) {
            NDArray logits =
                    model.getBlock()
                            .forward(
                                    new ParameterStore(scope, false),
                                    new NDList(all.getData().head()),
                                    false)
                            .head();
            return Arrays.stream(logits.argMax(1).toLongArray()).mapToInt(l -> (int) l).toArray();
        }
    }

    @Test
    void should_label_every_image_with_the_arg_max_of_its_logits() {
        ImageDataset labelled = PseudoLabels.label(model, POOL, 16, NoProgress.INSTANCE);

        assertThat(labelled.size()).isEqualTo(POOL.size());
        assertThat(labelled.labels).containsExactly(argMax());
        assertThat(labelled.image(7)).isEqualTo(POOL.image(7));
        assertThat(labelled.name()).isEqualTo(POOL.name() + " (pseudo-labelled)");
    }

    @Test
    void should_measure_the_accuracy_against_true_labels() {
        ImageDataset labelled = PseudoLabels.label(model, POOL, 16, NoProgress.INSTANCE);
        int agree = 0;
        for (int i = 0; i < POOL.size(); i++) {
            agree += labelled.label(i) == POOL.label(i) ? 1 : 0;
        }

        assertThat(PseudoLabels.accuracy(labelled, POOL)).isEqualTo(Accuracy.of(agree, 50));
        assertThat(PseudoLabels.accuracy(labelled, labelled)).isEqualTo(Accuracy.of(50, 50));
    }

    @Test
    void should_save_and_reload_the_labels() {
        Path file = dir.resolve("pool.labels.json");
        ImageDataset labelled = PseudoLabels.label(model, POOL, 16, file, NoProgress.INSTANCE);

        assertThat(PseudoLabels.read(file, POOL).labels).containsExactly(labelled.labels);
    }

    @Test
    void should_continue_after_the_last_saved_label() throws Exception {
        Path file = dir.resolve("pool.labels.json");
        int[] expected = PseudoLabels.label(model, POOL, 10, file, NoProgress.INSTANCE).labels;
        // as if the process had stopped after 3 of 5 batches: keep 30 labels, the rest wrong
        Gson gson = new Gson();
        JsonObject json = gson.fromJson(Files.readString(file), JsonObject.class);
        int[] partial = Arrays.copyOf(expected, 30);
        json.add("labels", gson.toJsonTree(partial));
        Files.writeString(file, gson.toJson(json));
        List<Long> updates = new ArrayList<>();
        Progress recorder =
                new Progress() {
                    @Override
                    public void reset(String message, long max, String trailing) {}

                    @Override
                    public void start(long initialProgress) {}

                    @Override
                    public void end() {}

                    @Override
                    public void increment(long increment) {}

                    @Override
                    public void update(long progress, String message) {
                        updates.add(progress);
                    }
                };

        ImageDataset resumed = PseudoLabels.label(model, POOL, 10, file, recorder);

        assertThat(resumed.labels).containsExactly(expected);
        assertThat(updates).containsExactly(3L, 4L); // only batches 4 and 5 ran
    }

    @Test
    void should_refuse_a_file_of_another_pool_or_model() {
        Path file = dir.resolve("pool.labels.json");
        PseudoLabels.label(model, POOL, 16, file, NoProgress.INSTANCE);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> PseudoLabels.read(file, SyntheticShapes.train(50, 5)))
                .withMessageStartingWith("labels file poolCrc32c must be the pool's");
        model.getBlock().getParameters().valueAt(0).getArray().addi(1f);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> PseudoLabels.label(model, POOL, 16, file, NoProgress.INSTANCE))
                .withMessageStartingWith("labels file modelCrc32c must be the model's");
    }
}
