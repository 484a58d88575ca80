package dev.awp.djl.training;

import ai.djl.Model;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import dev.awp.event.EpochEnded;
import dev.awp.event.EvaluationCompleted;
import dev.awp.event.TrainingEventListener;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.AveragingKind;
import dev.awp.training.WeightAveraging;
import java.nio.file.Path;

/**
 * A training run in a process of its own, for {@link KillAndResumeTest}: {@code fit} or {@code
 * resume} of {@link #SPEC} into an output directory, printing one line per training batch, per
 * evaluation and per epoch so that the test can kill it at chosen points.
 */
final class TrainingProcess {

    /** Four tiny epochs: enough room for several kills. */
    static final AdversarialTraining SPEC = TinyRuns.spec().withEpochs(4);

    /** {@link #SPEC} with an EMA of the weights, whose average must resume bit for bit too. */
    static final AdversarialTraining EMA_SPEC =
            SPEC.withWeightAveraging(
                    WeightAveraging.builder()
                            .kind(AveragingKind.EMA)
                            .decay(0.8)
                            .warmupSteps(2)
                            .build());

    /** The specification of a variant: {@code plain} or {@code ema}. */
    static AdversarialTraining spec(String variant) {
        return variant.equals("ema") ? EMA_SPEC : SPEC;
    }

    private TrainingProcess() {}

    public static void main(String[] args) {
        String mode = args[0];
        Path output = Path.of(args[1]);
        AdversarialTrainer trainer =
                TinyRuns.trainer(spec(args.length > 2 ? args[2] : "plain"))
                        .optOutputDirectory(output)
                        .addTrainingListeners(
                                new TrainingListenerAdapter() {
                                    @Override
                                    public void onTrainingBatch(
                                            Trainer trainer, BatchData batchData) {
                                        say("BATCH");
                                    }
                                })
                        .addEventListeners(
                                new TrainingEventListener() {
                                    @Override
                                    public void onEvaluationCompleted(EvaluationCompleted e) {
                                        say("EVAL " + e.epoch());
                                    }

                                    @Override
                                    public void onEpochEnded(EpochEnded e) {
                                        say("EPOCH " + e.epoch());
                                    }
                                })
                        .build();
        try (Model model = TinyRuns.model()) {
            if (mode.equals("fit")) {
                trainer.fit(model);
            } else {
                trainer.resume(model);
            }
        }
        say("DONE");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
