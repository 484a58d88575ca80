package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
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
import dev.awp.training.ExtraSource;
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
    private static final ImageDataset OTHER = SyntheticShapes.train(40, 17);

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

    /** A run with the given extra sources, its data bound by name; the final weights. */
    private static Map<String, float[]> weightsAfter(
            AdversarialTraining spec, Map<String, ClassificationData> sources) {
        return weightsAfter(spec, sources, null);
    }

    private static Map<String, float[]> weightsAfter(
            AdversarialTraining spec,
            Map<String, ClassificationData> sources,
            TrainingListenerAdapter listener) {
        try (Model model = TinyRuns.model()) {
            AdversarialTrainer.Builder builder = TinyRuns.trainer(spec);
            sources.forEach(builder::optExtraData);
            if (listener != null) {
                builder.addTrainingListeners(listener);
            }
            builder.build().fit(model);
            return TinyRuns.weights(model);
        }
    }

    @Test
    void should_train_one_named_source_of_weight_1_exactly_as_the_single_fraction() {
        Map<String, float[]> single;
        try (Model model = TinyRuns.model()) {
            TinyRuns.trainer(spec().withEpochs(1)).optExtraData(EXTRA).build().fit(model);
            single = TinyRuns.weights(model);
        }
        Map<String, float[]> named =
                weightsAfter(
                        TinyRuns.spec()
                                .withEpochs(1)
                                .withExtraSources(ExtraSource.of("pseudo", 0.25)),
                        Map.of("pseudo", EXTRA));

        single.forEach((name, w) -> assertThat(named.get(name)).as(name).isEqualTo(w));
    }

    @Test
    void should_mix_two_sources_and_weight_their_losses() {
        List<Integer> sizes = new ArrayList<>();
        AdversarialTraining spec =
                TinyRuns.spec()
                        .withEpochs(1)
                        .withExtraSources(
                                ExtraSource.of("pseudo", 0.25), ExtraSource.of("generated", 0.25));
        Map<String, ClassificationData> data = Map.of("pseudo", EXTRA, "generated", OTHER);
        Map<String, float[]> plain =
                weightsAfter(
                        spec,
                        data,
                        new TrainingListenerAdapter() {
                            @Override
                            public void onTrainingBatch(Trainer t, BatchData batch) {
                                sizes.add(batch.getBatch().getSize());
                            }
                        });
        // 48 labelled images, 8 labelled + 4 + 4 extra per batch of 16: 6 batches per epoch
        assertThat(sizes).hasSize(6).containsOnly(16);

        // every weight 2: the weighted mean normalizes, so the same objective up to rounding
        Map<String, float[]> doubled =
                weightsAfter(
                        spec.withLabelledLossWeight(2)
                                .withExtraSources(
                                        ExtraSource.of("pseudo", 0.25, 2),
                                        ExtraSource.of("generated", 0.25, 2)),
                        data);
        // the generated source down-weighted: another objective
        Map<String, float[]> downWeighted =
                weightsAfter(
                        spec.withExtraSources(
                                ExtraSource.of("pseudo", 0.25),
                                ExtraSource.of("generated", 0.25, 0.1)),
                        data);
        double sameObjective = 0;
        double otherObjective = 0;
        for (String name : plain.keySet()) {
            float[] p = plain.get(name);
            for (int i = 0; i < p.length; i++) {
                sameObjective = Math.max(sameObjective, Math.abs(doubled.get(name)[i] - p[i]));
                otherObjective =
                        Math.max(otherObjective, Math.abs(downWeighted.get(name)[i] - p[i]));
            }
        }
        assertThat(sameObjective).isLessThan(1e-4);
        assertThat(otherObjective).isGreaterThan(100 * Math.max(sameObjective, 1e-6));
    }

    @Test
    void should_name_every_source_in_the_report() {
        AdversarialTraining spec =
                TinyRuns.spec()
                        .withEpochs(1)
                        .withExtraSources(
                                ExtraSource.of("pseudo", 0.25),
                                ExtraSource.of("generated", 0.25, 0.5));
        TrainingReport report;
        try (Model model = TinyRuns.model()) {
            report =
                    TinyRuns.trainer(spec)
                            .optExtraData("pseudo", EXTRA)
                            .optExtraData("generated", OTHER)
                            .build()
                            .fit(model);
        }
        assertThat(report.extraData())
                .isEqualTo(
                        TinyRuns.TRAIN.name()
                                + " + 0.25 of each batch from "
                                + EXTRA.name()
                                + " + 0.25 of each batch from "
                                + OTHER.name()
                                + " (loss weight 0.5)");
    }

    @Test
    void should_refuse_a_listed_source_without_data_and_data_of_an_unlisted_source() {
        AdversarialTraining spec = TinyRuns.spec().withExtraSources(ExtraSource.of("pseudo", 0.25));
        assertThatIllegalStateException()
                .isThrownBy(() -> TinyRuns.trainer(spec).build())
                .withMessage(
                        "the data of extra source 'pseudo' must be set: call"
                                + " optExtraData(\"pseudo\", data)");
        assertThatIllegalStateException()
                .isThrownBy(
                        () ->
                                TinyRuns.trainer(spec)
                                        .optExtraData("pseudo", EXTRA)
                                        .optExtraData("other", OTHER)
                                        .build())
                .withMessageStartingWith(
                        "extra source 'other' is not in the specification's extraSources [pseudo]");
    }

    @Test
    void should_refuse_to_resume_with_other_fractions_or_loss_weights() {
        AdversarialTraining spec =
                TinyRuns.spec()
                        .withEpochs(2)
                        .withExtraSources(ExtraSource.of("pseudo", 0.25))
                        .withCheckpoints(CheckpointPolicy.builder().everyEpochs(1).build());
        try (Model model = TinyRuns.model()) {
            TinyRuns.trainer(spec)
                    .optExtraData("pseudo", EXTRA)
                    .optOutputDirectory(dir.resolve("a"))
                    .build()
                    .fit(model);
        }
        Path checkpoint = dir.resolve("a/checkpoints/epoch-0001.ckpt");
        for (AdversarialTraining other :
                List.of(
                        spec.withExtraSources(ExtraSource.of("pseudo", 0.5)),
                        spec.withExtraSources(ExtraSource.of("pseudo", 0.25, 0.5)),
                        spec.withLabelledLossWeight(2),
                        spec.withExtraSources(List.<ExtraSource>of())
                                .withExtraDataFraction(0.25))) {
            try (Model model = TinyRuns.model()) {
                AdversarialTrainer trainer =
                        (other.extraSources().isEmpty()
                                        ? TinyRuns.trainer(other).optExtraData(EXTRA)
                                        : TinyRuns.trainer(other).optExtraData("pseudo", EXTRA))
                                .optOutputDirectory(dir.resolve("b"))
                                .build();
                assertThatIllegalArgumentException()
                        .as(RunIdentity.mixingOf(other))
                        .isThrownBy(() -> trainer.resume(model, checkpoint))
                        .withMessageStartingWith(
                                "checkpoint extra data must be the specification's ("
                                        + RunIdentity.mixingOf(other)
                                        + ") but was 0.25 of each batch from pseudo:");
            }
        }
    }
}
