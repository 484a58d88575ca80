package dev.awp.examples.snippets;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.attack.Attacks;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.djl.training.BatchResult;
import dev.awp.perturbation.WeightPerturbation;

/** The custom-objective how-to: a {@link TrainingObjective} that AWP differentiates too. */
public final class CustomObjectiveSnippet {

    private CustomObjectiveSnippet() {}

    // tag::objective[]
    /**
     * The mixed objective of Goodfellow et al. (2015): {@code λ·CE(f(x), y) + (1 − λ)·CE(f(x'),
     * y)}.
     */
    public static final class MixedCrossEntropy implements TrainingObjective {
        private final double cleanWeight;

        /**
         * A mixed objective.
         *
         * @param cleanWeight λ, the weight of the clean term, in [0, 1]
         */
        public MixedCrossEntropy(double cleanWeight) {
            if (!(cleanWeight >= 0 && cleanWeight <= 1)) {
                throw new IllegalArgumentException(
                        "cleanWeight must be in [0, 1] but was " + cleanWeight);
            }
            this.cleanWeight = cleanWeight;
        }

        @Override
        public String name() {
            return "Mixed(lambda=" + cleanWeight + ")";
        }

        @Override
        public boolean usesCleanInputs() {
            return true; // the step then passes the clean logits too
        }

        @Override
        public NDArray loss(NDArray cleanLogits, NDArray adversarialLogits, NDArray labels) {
            return Losses.crossEntropy(cleanLogits, labels)
                    .mul((float) cleanWeight)
                    .add(
                            Losses.crossEntropy(adversarialLogits, labels)
                                    .mul((float) (1 - cleanWeight)));
        }
    }

    // end::objective[]

    /**
     * Trains one epoch with the custom objective and AWP.
     *
     * @param trainSize the number of training images
     * @return the last batch's result
     */
    public static BatchResult trainWithCustomObjective(int trainSize) {
        ImageDataset data = SyntheticShapes.train(trainSize, 0);
        try (Model model = Model.newInstance("small-cnn")) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).build());
            // tag::use[]
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build(),
                            WeightPerturbation.of(0.01));
            TrainingObjective mixed = new MixedCrossEntropy(0.5);
            // end::use[]
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(awp);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 32, 32));
                BatchResult result = null;
                for (Batch batch : data.evaluationBatches(trainer.getManager(), 64)) {
                    // tag::step[]
                    // AWP computes v with the same objective the update minimizes
                    result =
                            AwpEasyTrain.trainStep(
                                    trainer, awp, Attacks.pgdTraining(), mixed, batch);
                    // end::step[]
                    batch.close();
                }
                return result;
            }
        }
    }
}
