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
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AbstractInputAttack;
import dev.awp.djl.attack.AttackBatch;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.Projection;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.djl.training.BatchResult;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;

/**
 * The custom-attack how-to: an {@link InputAttack} written on the {@link AbstractInputAttack}
 * template.
 */
public final class CustomAttackSnippet {

    private CustomAttackSnippet() {}

    // tag::attack[]
    /**
     * R+FGSM (Tramèr et al., 2018): a random sign step of α, then one gradient-sign step of ε − α,
     * projected onto the L∞ ball of radius ε and the image range.
     */
    public static final class RandomFgsm extends AbstractInputAttack {
        private final ThreatModel threatModel;
        private final double alpha;

        /**
         * An R+FGSM attack.
         *
         * @param epsilon the L∞ radius
         * @param alpha the size of the random step, below epsilon
         */
        public RandomFgsm(double epsilon, double alpha) {
            if (!(alpha > 0 && alpha < epsilon)) {
                throw new IllegalArgumentException(
                        "alpha must be in (0, epsilon) but was " + alpha);
            }
            this.threatModel = ThreatModel.linf(epsilon);
            this.alpha = alpha;
        }

        @Override
        public ThreatModel threatModel() {
            return threatModel;
        }

        @Override
        public String name() {
            return "R+FGSM";
        }

        @Override
        protected NDArray craft(AttackBatch batch) {
            NDArray x = batch.x();
            // the ε-ball around x within the input domain (scalar or per-feature bounds)
            Projection ball = batch.ball();
            // random draws per example: in an evaluation each example has its own stream, so its
            // result does not depend on its batch
            int[] all = batch.allRows();
            NDArray noise =
                    batch.normal(batch.scope(), all, x.getShape().slice(1), 0f, 1f)
                            .sign()
                            .mul(alpha);
            NDArray start = ball.clipToDomain(x.add(noise));
            // ∇x of the loss, with no weight gradient computed; BatchNorm in inference mode.
            NDArray grad =
                    batch.gradient(start, logits -> Losses.crossEntropy(logits, batch.labels()));
            // one forward pass per example, for the evaluator's per-example query counts
            batch.countQueries(all);
            return ball.project(start.add(grad.sign().mul(threatModel.epsilon() - alpha)));
        }
    }

    // end::attack[]

    /**
     * Trains one epoch of PGD-AT + AWP with the custom attack.
     *
     * @param trainSize the number of training images
     * @return the last batch's result
     */
    public static BatchResult trainWithCustomAttack(int trainSize) {
        ImageDataset data = SyntheticShapes.train(trainSize, 0);
        try (Model model = Model.newInstance("small-cnn")) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).build());
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build(),
                            WeightPerturbation.of(0.01));
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(awp);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 32, 32));
                BatchResult result = null;
                // tag::use[]
                InputAttack attack = new RandomFgsm(8 / 255.0, 4 / 255.0);
                for (Batch batch : data.evaluationBatches(trainer.getManager(), 64)) {
                    // a custom attack goes wherever a built-in one does
                    result =
                            AwpEasyTrain.trainStep(trainer, awp, attack, Objectives.pgdAt(), batch);
                    batch.close();
                }
                // end::use[]
                return result;
            }
        }
    }
}
