package dev.awp.examples;

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
import dev.awp.djl.training.BatchResult;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import java.util.Locale;
import java.util.Set;

/** The usage example shown in the README; {@code ReadmeTest} keeps the two identical. */
public final class ReadmeExample {

    private ReadmeExample() {}

    /**
     * Trains a small CNN for one epoch of AT-AWP on the embedded dataset.
     *
     * @param args {@code --train N}: the number of training images (default 512)
     * @return the last batch's result
     */
    public static BatchResult runExample(String... args) {
        ImageDataset data =
                SyntheticShapes.train(
                        ExampleArgs.parse(args, Set.of("train"), Set.of()).integer("train", 512, 1),
                        0);
        try (Model model = Model.newInstance("small-cnn")) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).build());
            // tag::readme[]
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            Optimizer.sgd()
                                    .setLearningRateTracker(Tracker.fixed(0.05f))
                                    .optMomentum(0.9f)
                                    .optWeightDecays(5e-4f)
                                    .build(),
                            WeightPerturbation.of(0.01)); // γ = 0.01, as AT-AWP
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(awp);
            BatchResult result = null;
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 32, 32));
                for (Batch batch :
                        data.trainingBatches(
                                trainer.getManager(), 128, 0, 0, Augmentation.none())) {
                    // PGD-10 at w, v at w, step at w + v, restore w
                    result =
                            AwpEasyTrain.trainStep(
                                    trainer, awp, Attacks.pgdTraining(), Objectives.pgdAt(), batch);
                    batch.close();
                }
            }
            // end::readme[]
            return result;
        }
    }

    /**
     * Runs the example.
     *
     * @param args see {@link #runExample}
     */
    public static void main(String[] args) {
        BatchResult last = runExample(args);
        System.out.printf(
                Locale.ROOT,
                "last batch: loss %.4f, adversarial accuracy %.3f%n",
                last.loss(),
                last.adversarialAccuracy());
    }
}
