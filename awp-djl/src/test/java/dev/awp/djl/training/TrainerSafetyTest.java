package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import dev.awp.event.TrainingEventListener;
import dev.awp.event.TrainingWarning;
import dev.awp.event.WarningKind;
import dev.awp.report.Accuracy;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.DivergencePolicy;
import dev.awp.training.LearningRateSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the trainer does with divergence, previous runs in its directory, and any checkpoint. */
class TrainerSafetyTest {

    @TempDir Path dir;

    /** 0.05 in the first epoch, then a rate that makes the loss non-finite at once. */
    static final LearningRateSchedule EXPLODES_AFTER_FIRST_EPOCH =
            (base, epoch, iteration, perEpoch, total) -> epoch == 0 ? base : 1e30;

    static AdversarialTraining exploding() {
        return TinyRuns.spec().withSchedule(EXPLODES_AFTER_FIRST_EPOCH);
    }

    static TrainingEventListener recording(List<TrainingWarning> warnings) {
        return new TrainingEventListener() {
            @Override
            public void onWarning(TrainingWarning event) {
                warnings.add(event);
            }
        };
    }

    static void assertAllFinite(Map<String, float[]> weights) {
        for (var entry : weights.entrySet()) {
            for (float value : entry.getValue()) {
                assertThat(Float.isFinite(value)).as(entry.getKey()).isTrue();
            }
        }
    }

    @Nested
    class Divergence {

        @Test
        void should_stop_with_the_weights_of_the_last_good_epoch() {
            Map<String, float[]> afterOneEpoch;
            try (Model model = TinyRuns.model()) {
                TinyRuns.trainer(exploding().withEpochs(1)).build().fit(model);
                afterOneEpoch = TinyRuns.weights(model);
            }
            List<TrainingWarning> warnings = new ArrayList<>();
            try (Model model = TinyRuns.model()) {
                AdversarialTrainer trainer =
                        TinyRuns.trainer(exploding())
                                .addEventListeners(recording(warnings))
                                .build();
                assertThatThrownBy(() -> trainer.fit(model))
                        .isInstanceOfSatisfying(
                                TrainingDivergedException.class,
                                e -> {
                                    assertThat(e.kind()).isEqualTo(WarningKind.DIVERGENCE);
                                    assertThat(e.report().epochs()).hasSize(1);
                                })
                        .hasMessageContaining("training diverged")
                        .hasMessageContaining("restored the weights after epoch 1")
                        .hasMessageContaining("lower the learning rate");
                Map<String, float[]> kept = TinyRuns.weights(model);
                assertAllFinite(kept);
                for (String name : afterOneEpoch.keySet()) {
                    assertThat(kept.get(name)).as(name).isEqualTo(afterOneEpoch.get(name));
                }
            }
            assertThat(warnings)
                    .extracting(TrainingWarning::kind)
                    .containsExactly(WarningKind.DIVERGENCE, WarningKind.ROLLBACK);
        }

        @Test
        void should_retry_from_the_last_good_epoch_with_a_lower_learning_rate() {
            DivergencePolicy retry =
                    DivergencePolicy.retryWithLowerLearningRate()
                            .withLearningRateFactor(1e-31)
                            .withMaxRetries(1);
            List<TrainingWarning> warnings = new ArrayList<>();
            TrainingReport report;
            try (Model model = TinyRuns.model()) {
                report =
                        TinyRuns.trainer(exploding().withDivergence(retry))
                                .addEventListeners(recording(warnings))
                                .build()
                                .fit(model);
                assertAllFinite(TinyRuns.weights(model));
            }
            assertThat(report.epochs()).hasSize(3);
            assertThat(report.epochs().get(0).learningRate()).isEqualTo(0.05);
            // 1e30 × 1e-31 after the retry
            assertThat(report.epochs().get(1).learningRate()).isCloseTo(0.1, within(1e-9));
            assertThat(warnings)
                    .extracting(TrainingWarning::kind)
                    .containsExactly(WarningKind.DIVERGENCE, WarningKind.ROLLBACK);
            assertThat(warnings.get(1).message()).contains("retry 1 of 1 from epoch 2");
        }

        @Test
        void should_resume_a_retried_run_with_its_lower_learning_rate() {
            DivergencePolicy retry =
                    DivergencePolicy.retryWithLowerLearningRate()
                            .withLearningRateFactor(1e-31)
                            .withMaxRetries(1);
            AdversarialTraining spec = exploding().withDivergence(retry);
            Map<String, float[]> straight;
            try (Model model = TinyRuns.model()) {
                TinyRuns.trainer(spec)
                        .optOutputDirectory(dir.resolve("straight"))
                        .build()
                        .fit(model);
                straight = TinyRuns.weights(model);
            }
            Path interrupted = dir.resolve("interrupted");
            TrainingEventListener crash =
                    new TrainingEventListener() {
                        @Override
                        public void onEpochEnded(dev.awp.event.EpochEnded event) {
                            if (event.epoch() == 1) {
                                throw new IllegalStateException("simulated crash");
                            }
                        }
                    };
            try (Model model = TinyRuns.model()) {
                AdversarialTrainer trainer =
                        TinyRuns.trainer(spec)
                                .optOutputDirectory(interrupted)
                                .addEventListeners(crash)
                                .build();
                assertThatThrownBy(() -> trainer.fit(model)).hasMessage("simulated crash");
            }
            try (Model model = TinyRuns.model()) {
                TrainingReport report =
                        TinyRuns.trainer(spec)
                                .optOutputDirectory(interrupted)
                                .build()
                                .resume(model);
                assertThat(report.epochs().get(2).learningRate()).isCloseTo(0.1, within(1e-9));
                Map<String, float[]> resumed = TinyRuns.weights(model);
                for (String name : straight.keySet()) {
                    assertThat(resumed.get(name)).as(name).isEqualTo(straight.get(name));
                }
            }
        }
    }

    @Nested
    class Rules {

        @Test
        void should_call_a_fall_to_chance_after_a_good_epoch_a_collapse() {
            // 10 classes, margin 0.02: best must have reached 0.16, current at most 0.12
            assertThat(
                            DivergenceGuard.collapsed(
                                    Accuracy.of(16, 100), Accuracy.of(12, 100), 10, 0.02))
                    .isTrue();
            assertThat(
                            DivergenceGuard.collapsed(
                                    Accuracy.of(16, 100), Accuracy.of(13, 100), 10, 0.02))
                    .isFalse();
            // never above chance: an early run, not a collapse
            assertThat(
                            DivergenceGuard.collapsed(
                                    Accuracy.of(15, 100), Accuracy.of(5, 100), 10, 0.02))
                    .isFalse();
        }

        @Test
        void should_warn_of_catastrophic_overfitting_only_past_the_gap() {
            assertThat(
                            DivergenceGuard.catastrophicOverfitting(
                                    Accuracy.of(60, 100), Accuracy.of(30, 100), 0.2))
                    .isTrue();
            assertThat(
                            DivergenceGuard.catastrophicOverfitting(
                                    Accuracy.of(45, 100), Accuracy.of(30, 100), 0.2))
                    .isFalse();
            assertThat(
                            DivergenceGuard.catastrophicOverfitting(
                                    Accuracy.of(90, 100), Accuracy.of(0, 100), 0))
                    .as("gap 0 turns the check off")
                    .isFalse();
        }
    }

    @Nested
    class OutputDirectory {

        @Test
        void should_refuse_a_directory_that_holds_a_previous_run() {
            AdversarialTraining spec = TinyRuns.spec().withEpochs(1);
            try (Model model = TinyRuns.model()) {
                TinyRuns.trainer(spec).optOutputDirectory(dir).build().fit(model);
            }
            try (Model model = TinyRuns.model()) {
                AdversarialTrainer again = TinyRuns.trainer(spec).optOutputDirectory(dir).build();
                assertThatThrownBy(() -> again.fit(model))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("holds a previous run")
                        .hasMessageContaining("resume(model)")
                        .hasMessageContaining("optOverwrite(true)");
            }
            assertThat(dir.resolve(AdversarialTrainer.METRICS_LOG)).exists();
        }

        @Test
        void should_replace_a_previous_run_when_asked() throws Exception {
            AdversarialTraining periodic =
                    TinyRuns.spec()
                            .withCheckpoints(CheckpointPolicy.builder().everyEpochs(1).build());
            try (Model model = TinyRuns.model()) {
                TinyRuns.trainer(periodic).optOutputDirectory(dir).build().fit(model);
            }
            assertThat(dir.resolve("checkpoints/epoch-0003.ckpt")).exists();
            try (Model model = TinyRuns.model()) {
                TinyRuns.trainer(TinyRuns.spec().withEpochs(1))
                        .optOutputDirectory(dir)
                        .optOverwrite(true)
                        .build()
                        .fit(model);
            }
            // the old periodic checkpoints are gone; only this run's files remain
            try (var files = Files.list(dir.resolve("checkpoints"))) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .containsExactlyInAnyOrder("best.ckpt", "last.ckpt");
            }
            assertThat(Files.readAllLines(dir.resolve(AdversarialTrainer.METRICS_LOG))).hasSize(1);
        }
    }

    @Nested
    class ResumeFromAnyCheckpoint {

        @Test
        void should_end_like_the_uninterrupted_run_from_a_periodic_or_best_checkpoint() {
            AdversarialTraining spec =
                    TinyRuns.spec()
                            .withCheckpoints(CheckpointPolicy.builder().everyEpochs(1).build());
            Path straightDir = dir.resolve("straight");
            Map<String, float[]> straight;
            TrainingReport straightReport;
            try (Model model = TinyRuns.model()) {
                straightReport =
                        TinyRuns.trainer(spec).optOutputDirectory(straightDir).build().fit(model);
                straight = TinyRuns.weights(model);
            }
            Path checkpoints = straightDir.resolve("checkpoints");
            List<Path> starts = new ArrayList<>(List.of(checkpoints.resolve("epoch-0001.ckpt")));
            if (straightReport.bestEpoch().orElseThrow() < 2) {
                starts.add(checkpoints.resolve("best.ckpt"));
            }
            for (Path start : starts) {
                Path copy = dir.resolve("from-" + start.getFileName());
                try (Model model = TinyRuns.model()) {
                    TrainingReport report =
                            TinyRuns.trainer(spec)
                                    .optOutputDirectory(copy)
                                    .build()
                                    .resume(model, start);
                    Map<String, float[]> resumed = TinyRuns.weights(model);
                    for (String name : straight.keySet()) {
                        assertThat(resumed.get(name))
                                .as(start.getFileName() + ": " + name)
                                .isEqualTo(straight.get(name));
                    }
                    assertThat(TinyRuns.untimed(report.epochs()))
                            .isEqualTo(TinyRuns.untimed(straightReport.epochs()));
                }
            }
        }
    }

    private static org.assertj.core.data.Offset<Double> within(double offset) {
        return org.assertj.core.data.Offset.offset(offset);
    }
}
