package dev.awp.examples.snippets;

import ai.djl.Model;
import ai.djl.nn.Block;
import dev.awp.attack.Attacks;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.PseudoLabels;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.Accuracy;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.ExtraSource;
import dev.awp.training.Recipes;
import dev.awp.training.Schedules;
import dev.awp.training.WeightAveraging;
import java.nio.file.Path;

/**
 * The "train with extra data" how-to: pseudo-label a pool of unlabelled images with a standard
 * classifier, then train RST-AWP (half of every batch pseudo-labelled) with an EMA of the weights.
 */
public final class ExtraDataSnippet {

    private ExtraDataSnippet() {}

    /** What the snippet produced. */
    public record Outcome(Accuracy pseudoLabelAccuracy, TrainingReport report, Path rawWeights) {}

    /**
     * Runs the how-to at toy scale.
     *
     * @param dir the output directory of the robust run
     * @param labelledSize the number of labelled images
     * @param poolSize the number of unlabelled images
     * @param epochs the epochs of each run
     * @return the pseudo-labels' accuracy, the robust run's report and its last checkpoint
     */
    public static Outcome run(Path dir, int labelledSize, int poolSize, int epochs) {
        ImageDataset labelled = SyntheticShapes.train(labelledSize, 0);
        ImageDataset validation = SyntheticShapes.test(64, 0);
        // stands for unlabelled images: its labels are only used to measure the pseudo-labels
        ImageDataset pool = SyntheticShapes.train(poolSize, 1);
        EvaluationPlan plan = EvaluationPlan.builder().subsetSize(64).trainSubsetSize(64).build();

        // tag::pseudo-label[]
        // 1. a standard classifier on the labelled images: TRADES with β = 0 is clean
        //    cross-entropy (its one-step attack is not used by the loss)
        AdversarialTraining standard =
                AdversarialTraining.builder()
                        .objective(Objectives.trades(0))
                        .attack(Attacks.tradesTraining().withSteps(1))
                        .epochs(epochs)
                        .batchSize(32)
                        .evaluation(plan)
                        .build();
        ImageDataset pseudoLabelled;
        try (Model classifier = model()) {
            train(standard, labelled, validation, null, null).fit(classifier);
            // 2. label the pool in batches, saving the labels (resumable, reloadable)
            pseudoLabelled =
                    PseudoLabels.label(
                            classifier,
                            pool,
                            256,
                            dir.resolveSibling(dir.getFileName() + "-pool.labels.json"),
                            new ai.djl.training.util.ProgressBar());
        }
        Accuracy agreement = PseudoLabels.accuracy(pseudoLabelled, pool); // where labels exist
        // end::pseudo-label[]

        // tag::train[]
        // 3. RST-AWP: TRADES-AWP with half of each batch from the pseudo-labelled pool, plus an
        //    EMA of the weights, which is evaluated, selected and exported
        AdversarialTraining rst =
                AdversarialTraining.builder()
                        .from(Recipes.rstAwp())
                        .weightPerturbation(
                                WeightPerturbation.builder().gamma(0.005).warmupEpochs(1).build())
                        .weightAveraging(WeightAveraging.ema(0.99))
                        .epochs(epochs)
                        .batchSize(32) // 16 labelled + 16 pseudo-labelled
                        .evaluation(plan)
                        .build();
        TrainingReport report;
        try (Model model = model()) {
            report = train(rst, labelled, validation, pseudoLabelled, dir).fit(model);
            // model now holds the EMA; the raw weights are in the checkpoints:
            // AdversarialTrainer.loadRawWeights(AdversarialTrainer.lastCheckpoint(dir), model)
        }
        // end::train[]
        return new Outcome(agreement, report, AdversarialTrainer.lastCheckpoint(dir));
    }

    /**
     * The trainer of a run on several extra sources, each with its own fraction of the batch and
     * loss weight.
     *
     * @param labelled the labelled images
     * @param validation the validation images
     * @param pseudoLabelled the pseudo-labelled pool
     * @param generated generated images with their labels
     * @return the trainer
     */
    public static AdversarialTrainer severalSources(
            ImageDataset labelled,
            ImageDataset validation,
            ImageDataset pseudoLabelled,
            ImageDataset generated) {
        // tag::several-sources[]
        // 30 % pseudo-labelled and 40 % generated images in every batch; the generated images'
        // losses count half: the step minimizes Σ w·ℓ / Σ w over the batch
        AdversarialTraining spec =
                Recipes.tradesAwp()
                        .withSchedule(Schedules.reference()) // relative to the run's length
                        .withEpochs(10)
                        .withExtraSources(
                                ExtraSource.of("pseudo-labelled", 0.3),
                                ExtraSource.of("generated", 0.4, 0.5));
        AdversarialTrainer trainer =
                AdversarialTrainer.builder(spec)
                        .setTrainData(labelled)
                        .setValidationData(validation)
                        .optExtraData("pseudo-labelled", pseudoLabelled)
                        .optExtraData("generated", generated)
                        .build();
        // end::several-sources[]
        return trainer;
    }

    private static AdversarialTrainer train(
            AdversarialTraining spec,
            ImageDataset train,
            ImageDataset validation,
            ImageDataset extra,
            Path dir) {
        // tag::trainer[]
        AdversarialTrainer.Builder builder =
                AdversarialTrainer.builder(spec)
                        .setTrainData(train)
                        .setValidationData(validation)
                        .optNoProgress();
        if (extra != null) {
            builder.optExtraData(extra); // mixed at spec.extraDataFraction()
        }
        // end::trainer[]
        if (dir != null) {
            builder.optOutputDirectory(dir);
        }
        return builder.build();
    }

    private static Model model() {
        Model model = Model.newInstance("cnn");
        Block block = SmallCnn.builder().setNumClasses(10).optWidth(4).optHiddenUnits(16).build();
        model.setBlock(block);
        return model;
    }
}
