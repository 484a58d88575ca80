package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import ai.djl.Model;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.training.listener.TrainingListenerAdapter;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer with extra data: batches mixed at the specification's fraction, the extra data in the
 * report, the checks at build time, and a resume that continues with the same batches.
 */
class ExtraDataTrainingTest {

    private static final ImageDataset EXTRA = SyntheticShapes.train(40, 9);

    @TempDir Path dir;

    private static AdversarialTraining spec() {
        return TinyRuns.spec().withExtraDataFraction(0.25);
    }

    @Test
    void should_train_on_batches_with_the_fraction_from_the_extra_data() {
        List<Integer> sizes = new ArrayList<>();
        TrainingReport report;
        try (Model model = TinyRuns.model()) {
            report =
                    TinyRuns.trainer(spec())
                            .optExtraData(EXTRA)
                            .addTrainingListeners(
                                    new TrainingListenerAdapter() {
                                        @Override
                                        public void onTrainingBatch(Trainer t, BatchData data) {
                                            sizes.add(data.getBatch().getSize());
                                        }
                                    })
                            .build()
                            .fit(model);
        }
        // 48 labelled images, 12 labelled + 4 extra per batch of 16: 4 batches per epoch
        assertThat(sizes).hasSize(3 * 4).containsOnly(16);
        assertThat(report.extraData())
                .isEqualTo(ClassificationData.mixed(TinyRuns.TRAIN, EXTRA, 0.25).name())
                .contains("0.25 of each batch from");
        assertThat(report.epochs().get(0).trainAdversarialAccuracy().total()).isEqualTo(64);
    }

    @Test
    void should_continue_with_the_same_batches_after_a_resume() {
        AdversarialTraining spec =
                spec().withCheckpoints(CheckpointPolicy.builder().everyEpochs(1).build());
        Map<String, float[]> straight;
        try (Model model = TinyRuns.model()) {
            TinyRuns.trainer(spec)
                    .optExtraData(EXTRA)
                    .optOutputDirectory(dir.resolve("a"))
                    .build()
                    .fit(model);
            straight = TinyRuns.weights(model);
        }
        Map<String, float[]> resumed;
        try (Model model = TinyRuns.model()) {
            TinyRuns.trainer(spec)
                    .optExtraData(EXTRA)
                    .optOutputDirectory(dir.resolve("b"))
                    .build()
                    .resume(model, dir.resolve("a/checkpoints/epoch-0001.ckpt"));
            resumed = TinyRuns.weights(model);
        }
        straight.forEach((name, w) -> assertThat(resumed.get(name)).as(name).isEqualTo(w));
    }

    @Test
    void should_refuse_a_fraction_without_extra_data_and_extra_data_without_a_fraction() {
        assertThatIllegalStateException()
                .isThrownBy(() -> TinyRuns.trainer(spec()).build())
                .withMessageStartingWith("extraData must be set when extraDataFraction > 0");
        assertThatIllegalStateException()
                .isThrownBy(() -> TinyRuns.trainer(TinyRuns.spec()).optExtraData(EXTRA).build())
                .withMessageStartingWith("extraDataFraction must be > 0 when extraData is set");
    }
}
