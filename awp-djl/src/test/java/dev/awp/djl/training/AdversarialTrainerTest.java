package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.training.listener.TrainingListenerAdapter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.objective.ObjectiveLoss;
import dev.awp.event.CheckpointWritten;
import dev.awp.event.EpochEnded;
import dev.awp.event.EvaluationCompleted;
import dev.awp.event.TrainingEventListener;
import dev.awp.event.TrainingFinished;
import dev.awp.event.TrainingStarted;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.LearningRateSchedule;
import dev.awp.training.NonFiniteValueException;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Schedules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdversarialTrainerTest {

    @TempDir Path dir;

    static TrainingReport fit(AdversarialTrainer trainer) {
        try (Model model = TinyRuns.model()) {
            return trainer.fit(model);
        }
    }

    @Nested
    class Schedule {

        @Test
        void should_ask_the_schedule_at_every_iteration_and_report_the_last_rate() {
            List<int[]> calls = new ArrayList<>();
            LearningRateSchedule recording =
                    (base, epoch, iteration, perEpoch, total) -> {
                        calls.add(new int[] {epoch, iteration, perEpoch, total});
                        return base / (1 + epoch * 10 + iteration);
                    };
            AdversarialTraining spec = TinyRuns.spec().withSchedule(recording).withEpochs(2);
            TrainingReport report = fit(TinyRuns.trainer(spec).build());

            assertThat(calls)
                    .containsExactly(
                            new int[] {0, 0, 3, 2},
                            new int[] {0, 1, 3, 2},
                            new int[] {0, 2, 3, 2},
                            new int[] {1, 0, 3, 2},
                            new int[] {1, 1, 3, 2},
                            new int[] {1, 2, 3, 2});
            assertThat(report.epochs().get(0).learningRate()).isEqualTo(0.05 / 3);
            assertThat(report.epochs().get(1).learningRate()).isEqualTo(0.05 / 13);
        }

        @Test
        void should_hand_the_schedules_rate_to_the_optimizer() {
            LearningRateSchedule zero = (base, epoch, iteration, perEpoch, total) -> 0.0;
            AdversarialTraining spec =
                    TinyRuns.spec()
                            .withSchedule(zero)
                            .withWeightPerturbation(WeightPerturbation.none())
                            .withEpochs(1);
            try (Model model = TinyRuns.model()) {
                model.getBlock()
                        .initialize(
                                model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
                Map<String, float[]> before = TinyRuns.weights(model);
                TinyRuns.trainer(spec).build().fit(model);
                Map<String, float[]> after = TinyRuns.weights(model);

                // a zero rate leaves every trained tensor in place; BatchNorm statistics move
                for (String name : before.keySet()) {
                    if (name.endsWith("runningMean") || name.endsWith("runningVar")) {
                        assertThat(after.get(name)).as(name).isNotEqualTo(before.get(name));
                    } else {
                        assertThat(after.get(name)).as(name).isEqualTo(before.get(name));
                    }
                }
            }
        }
    }

    @Nested
    class WarmUp {

        @Test
        void should_keep_awp_off_during_the_warm_up_and_on_after() {
            AdversarialTraining spec =
                    TinyRuns.spec()
                            .withEpochs(2)
                            .withWeightPerturbation(
                                    WeightPerturbation.builder()
                                            .gamma(0.01)
                                            .warmupEpochs(1)
                                            .build());
            TrainingReport report = fit(TinyRuns.trainer(spec).build());

            assertThat(report.epochs())
                    .extracting(EpochMetrics::awpActive)
                    .containsExactly(false, true);
        }
    }

    @Nested
    class Events {

        @Test
        void should_deliver_events_in_the_documented_order() {
            List<String> events = new ArrayList<>();
            TrainingEventListener recorder =
                    new TrainingEventListener() {
                        @Override
                        public void onTrainingStarted(TrainingStarted event) {
                            events.add("started@" + event.firstEpoch());
                        }

                        @Override
                        public void onEvaluationCompleted(EvaluationCompleted event) {
                            events.add("evaluated@" + event.epoch());
                        }

                        @Override
                        public void onCheckpointWritten(CheckpointWritten event) {
                            events.add(event.kind() + "@" + event.epoch());
                        }

                        @Override
                        public void onEpochEnded(EpochEnded event) {
                            events.add("ended@" + event.epoch());
                        }

                        @Override
                        public void onTrainingFinished(TrainingFinished event) {
                            events.add("finished");
                        }
                    };
            AdversarialTraining spec =
                    TinyRuns.spec()
                            .withEvaluation(TinyRuns.spec().evaluation().withEveryEpochs(2))
                            .withCheckpoints(CheckpointPolicy.builder().everyEpochs(1).build());
            TrainingReport report =
                    fit(
                            TinyRuns.trainer(spec)
                                    .optOutputDirectory(dir)
                                    .addEventListeners(recorder)
                                    .build());

            List<String> expected = new ArrayList<>();
            expected.addAll(List.of("started@0", "PERIODIC@0", "LAST@0", "ended@0"));
            expected.addAll(List.of("evaluated@1", "BEST@1", "PERIODIC@1", "LAST@1", "ended@1"));
            expected.add("evaluated@2");
            if (report.bestEpoch().orElseThrow() == 2) {
                expected.add("BEST@2"); // only when epoch 2 beats epoch 1
            }
            expected.addAll(List.of("PERIODIC@2", "LAST@2", "ended@2", "finished"));
            assertThat(events).containsExactlyElementsOf(expected);
            assertThat(Files.exists(dir.resolve("checkpoints/epoch-0003.ckpt"))).isTrue();
        }

        @Test
        @SuppressWarnings("deprecation") // the old name works until it is removed
        void should_still_take_event_listeners_under_the_deprecated_name() {
            List<String> events = new ArrayList<>();
            TrainingEventListener recorder =
                    new TrainingEventListener() {
                        @Override
                        public void onTrainingFinished(TrainingFinished event) {
                            events.add("finished");
                        }
                    };

            fit(
                    TinyRuns.trainer(TinyRuns.spec().withEpochs(1))
                            .optOutputDirectory(dir)
                            .addListeners(recorder)
                            .build());

            assertThat(events).containsExactly("finished");
        }
    }

    @Nested
    class DjlListeners {

        /** What DJL's listeners see per training batch: the loss evaluator's value and inputs. */
        final class LossRecorder extends TrainingListenerAdapter {
            final List<String> names = new ArrayList<>();
            final List<Integer> predictionCounts = new ArrayList<>();
            double lossSum;
            long seen;

            @Override
            public void onTrainingBatch(Trainer trainer, BatchData data) {
                NDList predictions = data.getPredictions().values().iterator().next();
                NDList labels = data.getLabels().values().iterator().next();
                names.add(trainer.getLoss().getName());
                predictionCounts.add(predictions.size());
                long size = labels.head().size();
                lossSum += trainer.getLoss().evaluate(labels, predictions).getFloat() * size;
                seen += size;
            }
        }

        @Test
        void djl_listeners_should_see_the_objectives_loss_not_cross_entropy() {
            LossRecorder recorder = new LossRecorder();
            AdversarialTraining spec =
                    TinyRuns.spec().withObjective(Objectives.trades()).withEpochs(1);

            TrainingReport report =
                    fit(TinyRuns.trainer(spec).addTrainingListeners(recorder).build());

            assertThat(recorder.names)
                    .hasSize(3)
                    .containsOnly(ObjectiveLoss.of(Objectives.trades()).getName());
            assertThat(recorder.predictionCounts)
                    .as("TRADES needs the clean logits beside the adversarial ones")
                    .containsOnly(2);
            assertThat(recorder.lossSum / recorder.seen)
                    .as("DJL's loss evaluator gives the loss the step minimized")
                    .isCloseTo(report.epochs().get(0).trainLoss(), within(1e-5));
        }
    }

    @Nested
    class MetricsLog {

        @Test
        void should_write_one_json_line_per_epoch() throws IOException {
            TrainingReport report =
                    fit(TinyRuns.trainer(TinyRuns.spec()).optOutputDirectory(dir).build());

            List<String> lines = Files.readAllLines(dir.resolve(AdversarialTrainer.METRICS_LOG));
            assertThat(lines).hasSize(3);
            for (int epoch = 0; epoch < 3; epoch++) {
                JsonObject json = JsonParser.parseString(lines.get(epoch)).getAsJsonObject();
                EpochMetrics metrics = report.epochs().get(epoch);
                assertThat(json.get("epoch").getAsInt()).isEqualTo(epoch);
                assertThat(json.get("trainLoss").getAsDouble()).isEqualTo(metrics.trainLoss());
                assertThat(json.get("learningRate").getAsDouble())
                        .isEqualTo(metrics.learningRate());
                assertThat(json.getAsJsonObject("robustAccuracy").get("correct").getAsInt())
                        .isEqualTo(metrics.robustAccuracy().orElseThrow().correct());
                assertThat(json.get("robustGap").getAsDouble())
                        .isEqualTo(metrics.robustGap().orElseThrow());
                assertThat(MetricsJson.fromJson(json)).isEqualTo(metrics);
            }
        }

        @Test
        void should_read_the_log_back_as_the_reports_epochs() throws IOException {
            TrainingReport report =
                    fit(TinyRuns.trainer(TinyRuns.spec()).optOutputDirectory(dir).build());

            assertThat(AdversarialTrainer.readMetricsLog(dir)).isEqualTo(report.epochs());
        }

        @Test
        void should_name_the_file_and_line_it_cannot_read() throws IOException {
            assertThatThrownBy(() -> AdversarialTrainer.readMetricsLog(dir))
                    .isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageContaining(AdversarialTrainer.METRICS_LOG);
            Files.writeString(dir.resolve(AdversarialTrainer.METRICS_LOG), "{\"epoch\": 0}\n");
            assertThatThrownBy(() -> AdversarialTrainer.readMetricsLog(dir))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("line 1 of");
        }
    }

    @Nested
    class Augmentation_ {

        /** Trains 1 epoch; the augmentation the events and the report name, and the weights. */
        Map<String, Object> run(AdversarialTrainer.Builder builder) {
            List<String> started = new ArrayList<>();
            AdversarialTrainer trainer =
                    builder.addEventListeners(
                                    new TrainingEventListener() {
                                        @Override
                                        public void onTrainingStarted(TrainingStarted event) {
                                            started.add(event.augmentation());
                                        }
                                    })
                            .build();
            try (Model model = TinyRuns.model()) {
                TrainingReport report = trainer.fit(model);
                return Map.of(
                        "started", started,
                        "report", report.augmentation(),
                        "weights", TinyRuns.weights(model));
            }
        }

        @Test
        void should_apply_no_augmentation_to_an_image_dataset_unless_asked() {
            AdversarialTraining spec = TinyRuns.spec().withEpochs(1);
            Map<String, Object> byDefault = run(TinyRuns.trainer(spec));
            Map<String, Object> none =
                    run(TinyRuns.trainer(spec).optAugmentation(Augmentation.none()));
            Map<String, Object> cifar =
                    run(TinyRuns.trainer(spec).optAugmentation(Augmentation.reflectPadCropFlip()));

            assertThat(byDefault.get("started")).isEqualTo(List.of("none"));
            assertThat(byDefault.get("report")).isEqualTo("none");
            assertThat(weightsOf(byDefault).keySet()).isEqualTo(weightsOf(none).keySet());
            weightsOf(none)
                    .forEach(
                            (name, values) ->
                                    assertThat(weightsOf(byDefault).get(name))
                                            .as("%s: the default trains like none()", name)
                                            .isEqualTo(values));
            assertThat(weightsOf(cifar).get(firstWeight(cifar)))
                    .as("the augmentation changes what is trained, so a silent one would show")
                    .isNotEqualTo(weightsOf(none).get(firstWeight(cifar)));
        }

        @Test
        void should_name_the_augmentation_asked_for_in_the_start_event_and_the_report() {
            Map<String, Object> cifar =
                    run(
                            TinyRuns.trainer(TinyRuns.spec().withEpochs(1))
                                    .optAugmentation(Augmentation.reflectPadCropFlip()));

            assertThat(cifar.get("started"))
                    .isEqualTo(List.of("reflect-pad 4, random crop, horizontal flip"));
            assertThat(cifar.get("report"))
                    .isEqualTo("reflect-pad 4, random crop, horizontal flip");
        }

        @SuppressWarnings("unchecked")
        private Map<String, float[]> weightsOf(Map<String, Object> run) {
            return (Map<String, float[]>) run.get("weights");
        }

        private String firstWeight(Map<String, Object> run) {
            return weightsOf(run).keySet().iterator().next();
        }
    }

    @Nested
    class Determinism {

        @Test
        void should_give_the_same_metrics_for_the_same_seed() {
            TrainingReport first = fit(TinyRuns.trainer(TinyRuns.spec()).build());
            TrainingReport second = fit(TinyRuns.trainer(TinyRuns.spec()).build());

            assertThat(TinyRuns.untimed(second.epochs()))
                    .isEqualTo(TinyRuns.untimed(first.epochs()));
            assertThat(first.epochs().get(2).robustAccuracy()).isPresent();
        }
    }

    @Nested
    class Resume {

        @Test
        void should_end_with_the_weights_of_an_uninterrupted_run() {
            assertResumesExactly(TinyRuns.spec());
        }

        @Test
        void should_resume_sgd_without_momentum_exactly() {
            assertResumesExactly(TinyRuns.spec().withOptimizer(OptimizerSpec.sgd(0.05, 0, 5e-4)));
        }

        @Test
        void should_resume_adam_exactly() {
            assertResumesExactly(TinyRuns.spec().withOptimizer(OptimizerSpec.adam(1e-3)));
        }

        @Test
        void should_resume_adamw_exactly() {
            assertResumesExactly(TinyRuns.spec().withOptimizer(OptimizerSpec.adamW(1e-3, 1e-2)));
        }

        /** 2 epochs, a crash, then resume for the 3rd: the weights and metrics of 3 straight. */
        private void assertResumesExactly(AdversarialTraining spec) {
            Path straightDir = dir.resolve("straight");
            Path interruptedDir = dir.resolve("interrupted");
            Map<String, float[]> straight;
            TrainingReport straightReport;
            try (Model model = TinyRuns.model()) {
                straightReport =
                        TinyRuns.trainer(spec).optOutputDirectory(straightDir).build().fit(model);
                straight = TinyRuns.weights(model);
            }
            TrainingEventListener crash =
                    new TrainingEventListener() {
                        @Override
                        public void onEpochEnded(EpochEnded event) {
                            if (event.epoch() == 1) {
                                throw new IllegalStateException("simulated crash");
                            }
                        }
                    };
            try (Model model = TinyRuns.model()) {
                AdversarialTrainer interrupted =
                        TinyRuns.trainer(spec)
                                .optOutputDirectory(interruptedDir)
                                .addEventListeners(crash)
                                .build();
                assertThatThrownBy(() -> interrupted.fit(model)).hasMessage("simulated crash");
            }
            List<Integer> firstEpochs = new ArrayList<>();
            Map<String, float[]> resumed;
            TrainingReport resumedReport;
            try (Model model = TinyRuns.model()) {
                resumedReport =
                        TinyRuns.trainer(spec)
                                .optOutputDirectory(interruptedDir)
                                .addEventListeners(
                                        new TrainingEventListener() {
                                            @Override
                                            public void onTrainingStarted(TrainingStarted e) {
                                                firstEpochs.add(e.firstEpoch());
                                            }
                                        })
                                .build()
                                .resume(model);
                resumed = TinyRuns.weights(model);
            }

            assertThat(firstEpochs).containsExactly(2);
            assertThat(resumed.keySet()).containsExactlyElementsOf(straight.keySet());
            for (String name : straight.keySet()) {
                assertThat(resumed.get(name)).as(name).isEqualTo(straight.get(name));
            }
            assertThat(TinyRuns.untimed(resumedReport.epochs()))
                    .isEqualTo(TinyRuns.untimed(straightReport.epochs()));
            assertThat(resumedReport.bestEpoch()).isEqualTo(straightReport.bestEpoch());
        }

        @Test
        void should_refuse_to_resume_without_a_checkpoint() {
            AdversarialTrainer trainer =
                    TinyRuns.trainer(TinyRuns.spec()).optOutputDirectory(dir).build();
            try (Model model = TinyRuns.model()) {
                assertThatThrownBy(() -> trainer.resume(model))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("no checkpoint to resume from");
            }
        }

        @Test
        void should_refuse_a_checkpoint_of_another_seed() {
            fit(
                    TinyRuns.trainer(
                                    TinyRuns.spec()
                                            .withEpochs(1)
                                            .withEvaluation(
                                                    EvaluationPlan.builder()
                                                            .subsetSize(8)
                                                            .trainSubsetSize(0)
                                                            .attack(
                                                                    TinyRuns.spec()
                                                                            .evaluation()
                                                                            .attack())
                                                            .build()))
                            .optOutputDirectory(dir)
                            .build());
            AdversarialTrainer other =
                    TinyRuns.trainer(TinyRuns.spec().withSeed(12)).optOutputDirectory(dir).build();
            try (Model model = TinyRuns.model()) {
                assertThatThrownBy(() -> other.resume(model))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("checkpoint seed must be");
            }
        }
    }

    @Nested
    class Divergence {

        @Test
        void should_stop_with_a_clear_message_when_the_loss_is_not_finite() {
            AdversarialTraining spec =
                    TinyRuns.spec()
                            .withSchedule(Schedules.constant())
                            .withOptimizer(OptimizerSpec.sgd(1e30, 0.9, 0));
            AdversarialTrainer trainer = TinyRuns.trainer(spec).build();
            try (Model model = TinyRuns.model()) {
                // AwpEasyTrain.trainStep stops the step before a non-finite value reaches the
                // weights; the trainer rolls back and stops with the step's exception as cause
                assertThatThrownBy(() -> trainer.fit(model))
                        .isInstanceOf(TrainingDivergedException.class)
                        .hasCauseInstanceOf(NonFiniteValueException.class)
                        .hasMessageContaining("training diverged")
                        .hasMessageContaining("lower the learning rate");
            }
        }
    }
}
