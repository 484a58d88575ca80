package dev.awp.examples.snippets;

import ai.djl.Model;
import dev.awp.attack.Attacks;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.djl.training.TrainingDivergedException;
import dev.awp.event.TrainingEventListener;
import dev.awp.event.TrainingWarning;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.DivergenceAction;
import dev.awp.training.DivergencePolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.Recipes;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The "when training goes wrong" how-to: a divergence policy, warnings as events, and resuming from
 * a chosen checkpoint.
 */
public final class SafeTrainingSnippet {

    private SafeTrainingSnippet() {}

    /**
     * Trains a tiny AT-AWP run with a retrying divergence policy into {@code dir}, then continues a
     * second run from the checkpoint of its first epoch.
     *
     * @param dir the output directory of the first run; the second writes to {@code dir/again}
     * @param warnings receives the warnings of both runs
     * @return the report of the run resumed from the best checkpoint
     */
    public static TrainingReport run(Path dir, List<TrainingWarning> warnings) {
        // tag::policy[]
        DivergencePolicy policy =
                DivergencePolicy.builder()
                        .action(DivergenceAction.RETRY_WITH_LOWER_LEARNING_RATE)
                        .learningRateFactor(0.5) // halve the learning rate at every retry
                        .maxRetries(2) // then stop with TrainingDivergedException
                        .collapseMargin(0.02) // robust accuracy at chance + 2 points = collapse
                        .catastrophicOverfittingGap(0.2) // FGSM − PGD accuracy > 0.2: a warning
                        .build();
        AdversarialTraining spec = Recipes.atAwp().withEpochs(2).withDivergence(policy);
        // end::policy[]
        spec =
                spec.withBatchSize(16)
                        .withCheckpoints(CheckpointPolicy.builder().everyEpochs(1).build())
                        .withAttack(Attacks.pgdTraining().withSteps(2))
                        .withEvaluation(
                                EvaluationPlan.builder()
                                        .subsetSize(16)
                                        .trainSubsetSize(16)
                                        .attack(Attacks.pgd(2))
                                        .build());
        // tag::listen[]
        TrainingEventListener alerts =
                new TrainingEventListener() {
                    @Override
                    public void onWarning(TrainingWarning warning) {
                        // DIVERGENCE, ROBUST_ACCURACY_COLLAPSE, CATASTROPHIC_OVERFITTING, ROLLBACK
                        warnings.add(warning);
                    }
                };
        AdversarialTrainer trainer =
                AdversarialTrainer.builder(spec)
                        .setTrainData(SyntheticShapes.train(32, 0))
                        .setValidationData(SyntheticShapes.test(16, 0))
                        .optAugmentation(Augmentation.none())
                        .optOutputDirectory(dir)
                        .optNoProgress()
                        .addEventListeners(alerts)
                        .build();
        try (Model model = Model.newInstance("cnn")) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).optWidth(4).build());
            trainer.fit(model); // refuses a directory with a previous run: optOverwrite(true)
        } catch (TrainingDivergedException e) {
            // the model holds the last good weights (never NaN); e.report() has the good epochs
            System.err.printf(Locale.ROOT, "stopped (%s): %s%n", e.kind(), e.getMessage());
            throw e;
        }
        // end::listen[]
        // tag::resume-any[]
        AdversarialTrainer again =
                AdversarialTrainer.builder(spec)
                        .setTrainData(SyntheticShapes.train(32, 0))
                        .setValidationData(SyntheticShapes.test(16, 0))
                        .optAugmentation(Augmentation.none())
                        .optOutputDirectory(dir.resolve("again"))
                        .optNoProgress()
                        .addEventListeners(alerts)
                        .build();
        try (Model model = Model.newInstance("cnn")) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).optWidth(4).build());
            // continue from the checkpoint of epoch 1 (best.ckpt works too); every checkpoint is
            // verified against its SHA-256 before it is used
            Path epoch1 = dir.resolve(AdversarialTrainer.CHECKPOINTS).resolve("epoch-0001.ckpt");
            return again.resume(model, epoch1);
        }
        // end::resume-any[]
    }
}
