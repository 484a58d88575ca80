package dev.awp.examples.snippets;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
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

/**
 * The getting-started page, step by step: data, model, AWP optimizer, training epochs, and a PGD-20
 * evaluation of the trained model.
 */
public final class GettingStartedSnippet {

    private GettingStartedSnippet() {}

    /**
     * What the run measured.
     *
     * @param lastLoss the training loss of the last batch
     * @param cleanAccuracy the accuracy on the clean test images
     * @param robustAccuracy the accuracy on PGD-20 adversarial test images
     */
    public record Result(double lastLoss, double cleanAccuracy, double robustAccuracy) {}

    /**
     * Trains a small CNN with AT-AWP and evaluates it.
     *
     * @param trainSize the number of training images
     * @param testSize the number of test images
     * @param epochs the number of epochs
     * @return the losses and accuracies
     */
    public static Result run(int trainSize, int testSize, int epochs) {
        // tag::data[]
        ImageDataset train = SyntheticShapes.train(trainSize, 0); // embedded 32×32 RGB, 10 classes
        ImageDataset test = SyntheticShapes.test(testSize, 0);
        // end::data[]
        try (Model model = Model.newInstance("robust-cnn")) {
            // tag::model[]
            model.setBlock(SmallCnn.builder().setNumClasses(train.numClasses()).build());
            // end::model[]
            // tag::optimizer[]
            Optimizer sgd =
                    Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.05f))
                            .optMomentum(0.9f)
                            .optWeightDecays(5e-4f)
                            .build();
            AwpOptimizer awp = AwpOptimizer.wrap(sgd, WeightPerturbation.of(0.01)); // γ = 0.01
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(awp);
            // end::optimizer[]
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 32, 32));
                // tag::train[]
                BatchResult last = null;
                for (int epoch = 0; epoch < epochs; epoch++) {
                    awp.setEpoch(epoch); // AWP is off during a warm-up, if the perturbation has one
                    for (Batch batch :
                            train.trainingBatches(
                                    trainer.getManager(), 64, 0, epoch, Augmentation.none())) {
                        // attack at w (PGD-10), v at w, step at w + v, restore w
                        last =
                                AwpEasyTrain.trainStep(
                                        trainer,
                                        awp,
                                        Attacks.pgdTraining(),
                                        Objectives.pgdAt(),
                                        batch);
                        batch.close();
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "epoch %d: loss %.3f, adversarial accuracy %.3f%n",
                            epoch,
                            last.loss(),
                            last.adversarialAccuracy());
                }
                // end::train[]
                // tag::evaluate[]
                InputAttack pgd20 = InputAttacks.bind(Attacks.pgd20()); // L∞ 8/255, α = 2/255
                AttackTarget target = AttackTarget.of(trainer);
                long clean = 0;
                long robust = 0;
                for (Batch batch : test.evaluationBatches(trainer.getManager(), 100)) {
                    NDArray x = batch.getData().head();
                    NDArray y = batch.getLabels().head().toType(DataType.INT64, false);
                    NDArray xAdv = pgd20.generate(target, x, y);
                    clean += correct(target.logits(x, BatchNormMode.EVAL), y);
                    robust += correct(target.logits(xAdv, BatchNormMode.EVAL), y);
                    batch.close();
                }
                System.out.printf(
                        Locale.ROOT,
                        "clean %.3f, PGD-20 %.3f%n",
                        (double) clean / test.size(),
                        (double) robust / test.size());
                // end::evaluate[]
                return new Result(
                        last.loss(), (double) clean / test.size(), (double) robust / test.size());
            }
        }
    }

    // tag::correct[]
    static long correct(NDArray logits, NDArray labels) {
        return logits.argMax(1).eq(labels).sum().getLong();
    }
    // end::correct[]
}
