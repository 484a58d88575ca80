package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.util.Pair;
import dev.awp.djl.data.Augmentation;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.AveragingKind;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.WeightAveraging;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weight averaging in the trainer: the average a run exports is exactly the average, in float32, of
 * the weights its steps left (with AWP: the restored {@code w}, which DJL's listeners see after
 * each step), averaging never changes the raw trajectory, and a run resumed from a checkpoint ends
 * with the same average and raw weights, bit for bit.
 */
class AveragedWeightsTest {

    @TempDir Path dir;

    /** AWP with a γ large enough that an average of {@code w + v} would differ visibly. */
    private static AdversarialTraining spec(WeightAveraging averaging) {
        return TinyRuns.spec()
                .withWeightPerturbation(WeightPerturbation.of(0.05))
                .withWeightAveraging(averaging);
    }

    /** Every parameter after every step, as DJL's listeners see them (w restored). */
    static final class Recorder extends TrainingListenerAdapter {
        final List<Map<String, float[]>> steps = new ArrayList<>();
        final List<String> trainable = new ArrayList<>();

        @Override
        public void onTrainingBatch(Trainer trainer, BatchData batchData) {
            Map<String, float[]> copy = new LinkedHashMap<>();
            trainable.clear();
            for (Pair<String, Parameter> pair : trainer.getModel().getBlock().getParameters()) {
                copy.put(pair.getKey(), pair.getValue().getArray().toFloatArray());
                if (pair.getValue().requiresGradient()) {
                    trainable.add(pair.getKey());
                }
            }
            steps.add(copy);
        }
    }

    /** Runs {@code spec}, recording the weights after every step. */
    private static Run run(AdversarialTraining spec) {
        Recorder recorder = new Recorder();
        try (Model model = TinyRuns.model()) {
            TrainingReport report =
                    TinyRuns.trainer(spec).addTrainingListeners(recorder).build().fit(model);
            return new Run(report, recorder, TinyRuns.weights(model));
        }
    }

    record Run(TrainingReport report, Recorder recorder, Map<String, float[]> exported) {}

    /** {@code a ← κ·a + (1 − κ)·w} over the recorded steps, in Java's float32 arithmetic. */
    private static Map<String, float[]> expectedAverage(
            WeightAveraging averaging, Recorder recorder, int batches) {
        Map<String, float[]> average = new LinkedHashMap<>();
        for (String name : recorder.trainable) {
            average.put(name, recorder.steps.get(0).get(name).clone()); // κ = 0 at step 0
        }
        for (int s = 0; s < recorder.steps.size(); s++) {
            double kappa = averaging.keep(s / batches, s % batches, batches);
            float keep = (float) kappa;
            float take = (float) (1 - kappa);
            for (String name : recorder.trainable) {
                float[] a = average.get(name);
                float[] w = recorder.steps.get(s).get(name);
                for (int i = 0; i < a.length; i++) {
                    a[i] = a[i] * keep + w[i] * take;
                }
            }
        }
        return average;
    }

    private static int batches() {
        return TinyRuns.TRAIN.numBatches(TinyRuns.spec().batchSize());
    }

    @Nested
    class Ema {
        private final WeightAveraging ema =
                WeightAveraging.builder().kind(AveragingKind.EMA).decay(0.8).warmupSteps(2).build();

        @Test
        void should_export_exactly_the_ema_of_the_restored_weights_under_awp() {
            Run run = run(spec(ema));

            assertThat(run.report().epochs()).anyMatch(EpochMetrics::awpActive);
            assertThat(run.recorder().steps).hasSize(3 * batches());
            Map<String, float[]> expected = expectedAverage(ema, run.recorder(), batches());
            Map<String, float[]> last = run.recorder().steps.get(run.recorder().steps.size() - 1);
            for (String name : run.exported().keySet()) {
                if (expected.containsKey(name)) {
                    assertThat(run.exported().get(name)).as(name).isEqualTo(expected.get(name));
                    assertThat(run.exported().get(name))
                            .as(name + " differs from the raw weights")
                            .isNotEqualTo(last.get(name));
                } else {
                    // BatchNorm running statistics: the raw model's
                    assertThat(run.exported().get(name)).as(name).isEqualTo(last.get(name));
                }
            }
        }

        @Test
        void should_leave_the_raw_trajectory_and_training_metrics_unchanged() {
            Run plain = run(spec(WeightAveraging.none()));
            // SWA's BatchNorm pass runs at every evaluation from epoch 1 on: the raw run goes on
            Run swa = run(spec(WeightAveraging.swa(1)));
            for (int s = 0; s < plain.recorder().steps.size(); s++) {
                for (String name : plain.recorder().steps.get(s).keySet()) {
                    assertThat(swa.recorder().steps.get(s).get(name))
                            .as("SWA step " + s + " " + name)
                            .isEqualTo(plain.recorder().steps.get(s).get(name));
                }
            }
            Run averaged = run(spec(ema));

            for (int s = 0; s < plain.recorder().steps.size(); s++) {
                for (String name : plain.recorder().steps.get(s).keySet()) {
                    assertThat(averaged.recorder().steps.get(s).get(name))
                            .as("step " + s + " " + name)
                            .isEqualTo(plain.recorder().steps.get(s).get(name));
                }
            }
            for (int e = 0; e < 3; e++) {
                assertThat(averaged.report().epochs().get(e).trainLoss())
                        .isEqualTo(plain.report().epochs().get(e).trainLoss());
            }
            assertThat(averaged.report().training().weightAveraging()).isEqualTo(ema);
        }
    }

    @Nested
    class Swa {
        private final WeightAveraging swa = WeightAveraging.swa(1);

        @Test
        void should_export_the_mean_of_the_restored_weights_from_the_start_epoch() {
            Run run = run(spec(swa));

            Map<String, float[]> expected = expectedAverage(swa, run.recorder(), batches());
            int from = batches();
            int steps = run.recorder().steps.size();
            for (String name : expected.keySet()) {
                float[] exported = run.exported().get(name);
                assertThat(exported).as(name).isEqualTo(expected.get(name));
                for (int i = 0; i < exported.length; i++) {
                    double mean = 0;
                    for (int s = from; s < steps; s++) {
                        mean += run.recorder().steps.get(s).get(name)[i];
                    }
                    mean /= steps - from;
                    assertThat((double) exported[i]).isCloseTo(mean, within(1e-6));
                }
            }
        }

        @Test
        void should_export_batch_norm_statistics_recomputed_for_the_average() {
            Run run = run(spec(swa));
            Map<String, float[]> last = run.recorder().steps.get(run.recorder().steps.size() - 1);
            Map<String, float[]> recomputed;
            try (Model model = TinyRuns.model()) {
                model.getBlock()
                        .initialize(
                                model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
                for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
                    float[] values = run.exported().get(pair.getKey());
                    NDArray live = pair.getValue().getArray();
                    live.set(
                            new NDIndex("..."),
                            model.getNDManager().create(values, live.getShape()));
                }
                // the last epoch's training batches, as the run's own pass reads them
                BatchNormStatistics.recompute(
                        model.getBlock(),
                        TinyRuns.TRAIN.trainingBatches(
                                model.getNDManager(), 16, spec(swa).seed(), 2, Augmentation.none()),
                        model.getNDManager());
                recomputed = TinyRuns.weights(model);
            }
            int statistics = 0;
            for (String name : run.exported().keySet()) {
                if (!run.recorder().trainable.contains(name)) {
                    statistics++;
                    assertThat(run.exported().get(name))
                            .as(name + " differs from the raw model's")
                            .isNotEqualTo(last.get(name));
                    assertThat(run.exported().get(name))
                            .as(name + " recomputed over the last epoch")
                            .isEqualTo(recomputed.get(name));
                }
            }
            assertThat(statistics).isPositive();
        }
    }

    @Nested
    class Resume {

        @Test
        void should_end_with_the_same_average_and_raw_weights_when_resumed_from_epoch_1() {
            AdversarialTraining spec =
                    spec(WeightAveraging.ema(0.9))
                            .withCheckpoints(CheckpointPolicy.builder().everyEpochs(1).build());
            Path straight = dir.resolve("straight");
            Map<String, float[]> averaged;
            TrainingReport whole;
            try (Model model = TinyRuns.model()) {
                whole = TinyRuns.trainer(spec).optOutputDirectory(straight).build().fit(model);
                averaged = TinyRuns.weights(model);
            }
            Path resumed = dir.resolve("resumed");
            Map<String, float[]> averagedAfterResume;
            TrainingReport rest;
            try (Model model = TinyRuns.model()) {
                rest =
                        TinyRuns.trainer(spec)
                                .optOutputDirectory(resumed)
                                .build()
                                .resume(
                                        model,
                                        straight.resolve(
                                                AdversarialTrainer.CHECKPOINTS
                                                        + "/epoch-0001.ckpt"));
                averagedAfterResume = TinyRuns.weights(model);
            }

            assertThat(averagedAfterResume).containsOnlyKeys(averaged.keySet());
            averaged.forEach((n, w) -> assertThat(averagedAfterResume.get(n)).as(n).isEqualTo(w));
            assertThat(TinyRuns.untimed(rest.epochs())).isEqualTo(TinyRuns.untimed(whole.epochs()));
            Map<String, float[]> raw = raw(AdversarialTrainer.lastCheckpoint(straight));
            Map<String, float[]> rawAfterResume = raw(AdversarialTrainer.lastCheckpoint(resumed));
            raw.forEach((n, w) -> assertThat(rawAfterResume.get(n)).as(n).isEqualTo(w));
            assertThat(raw).isNotEqualTo(averaged);
            assertThat(model(AdversarialTrainer.lastCheckpoint(straight))).isNotNull();
        }

        @Test
        void should_refuse_to_resume_with_another_averaging() {
            AdversarialTraining spec = spec(WeightAveraging.ema(0.9));
            try (Model model = TinyRuns.model()) {
                TinyRuns.trainer(spec).optOutputDirectory(dir).build().fit(model);
            }
            try (Model model = TinyRuns.model()) {
                AdversarialTrainer other =
                        TinyRuns.trainer(spec.withWeightAveraging(WeightAveraging.ema(0.99)))
                                .optOutputDirectory(dir)
                                .build();
                assertThatThrownBy(
                                () -> other.resume(model, AdversarialTrainer.lastCheckpoint(dir)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith(
                                "checkpoint weightAveraging must be the specification's (EMA,"
                                        + " decay 0.99 ");
            }
        }

        private Map<String, float[]> raw(Path checkpoint) {
            try (Model model = TinyRuns.model()) {
                initialize(model);
                AdversarialTrainer.loadRawWeights(checkpoint, model);
                return TinyRuns.weights(model);
            }
        }

        private Map<String, float[]> model(Path checkpoint) {
            try (Model model = TinyRuns.model()) {
                initialize(model);
                AdversarialTrainer.loadWeights(checkpoint, model);
                return TinyRuns.weights(model);
            }
        }

        private void initialize(Model model) {
            model.getBlock()
                    .initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
        }
    }
}
