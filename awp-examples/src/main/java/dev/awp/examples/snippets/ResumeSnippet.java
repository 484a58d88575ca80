package dev.awp.examples.snippets;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.attack.Attacks;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resume how-to for a hand-written loop: save the weights and the epoch after every epoch, and
 * continue from them after an interruption.
 */
public final class ResumeSnippet {

    private ResumeSnippet() {}

    /**
     * Trains until {@code untilEpoch} (exclusive), starting after the checkpoint in {@code dir} if
     * there is one.
     *
     * @param dir the checkpoint folder
     * @param trainSize the number of training images
     * @param untilEpoch the epoch to stop before
     * @return the first epoch this call trained
     * @throws IOException if the checkpoint cannot be read or written
     * @throws MalformedModelException if the checkpoint is damaged
     */
    public static int train(Path dir, int trainSize, int untilEpoch)
            throws IOException, MalformedModelException {
        ImageDataset data = SyntheticShapes.train(trainSize, 0);
        WeightPerturbation perturbation =
                WeightPerturbation.builder().gamma(0.005).warmupEpochs(1).build();
        try (Model model = Model.newInstance("robust-cnn")) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).build());
            // tag::load[]
            int start = 0;
            if (Files.exists(dir.resolve("robust-cnn-0000.params"))) {
                model.load(dir, "robust-cnn"); // the weights and BatchNorm statistics
                start = Integer.parseInt(model.getProperty("Epoch")) + 1;
            }
            // end::load[]
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            Optimizer.sgd()
                                    .setLearningRateTracker(Tracker.fixed(0.05f))
                                    .optMomentum(0.9f)
                                    .build(),
                            perturbation);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(awp);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 32, 32)); // keeps loaded parameters
                // tag::loop[]
                for (int epoch = start; epoch < untilEpoch; epoch++) {
                    awp.setEpoch(epoch); // the warm-up continues where it stopped
                    // the data order and augmentation are functions of (seed, epoch): no RNG state
                    for (Batch batch :
                            data.trainingBatches(
                                    trainer.getManager(), 64, 0, epoch, Augmentation.none())) {
                        AwpEasyTrain.trainStep(
                                trainer, awp, Attacks.pgdTraining(), Objectives.pgdAt(), batch);
                        batch.close();
                    }
                    model.setProperty("Epoch", String.valueOf(epoch));
                    model.save(dir, "robust-cnn"); // overwrites robust-cnn-0000.params
                }
                // end::loop[]
            }
            return start;
        }
    }
}
