package dev.awp.examples;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import dev.awp.attack.Attacks;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.objective.TrainingObjectives;
import dev.awp.djl.perturbation.AppliedPerturbation;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Adds AWP to an existing DJL adversarial-training loop, written the way DJL's own examples write
 * one: the loop keeps its shape; the optimizer is wrapped and one call is added per batch.
 *
 * <p>Run: {@code ./mvnw -B -q -Prun -pl awp-examples -am verify -DskipTests
 * -Dexample.main=dev.awp.examples.ExistingLoopExample -Dexample.args="--epochs 3"}.
 */
public final class ExistingLoopExample {

    private ExistingLoopExample() {}

    /**
     * What the example measured.
     *
     * @param epochLosses the mean training loss of each epoch
     * @param perturbedSteps how many steps AWP perturbed the weights in
     */
    public record Result(List<Double> epochLosses, int perturbedSteps) {}

    /**
     * Runs the example from the command line.
     *
     * @param args {@code --epochs N} (default 3), {@code --train N} (images, default 1024), {@code
     *     --seed N}
     * @throws IOException if the data cannot be iterated
     * @throws TranslateException if the data cannot be batched
     */
    public static void main(String[] args) throws IOException, TranslateException {
        Result result = runExample(args);
        System.out.println("mean training loss per epoch: " + result.epochLosses());
        System.out.println("steps with AWP: " + result.perturbedSteps());
    }

    /**
     * Trains a small CNN with PGD-AT + AWP on the embedded dataset in a plain DJL loop.
     *
     * @param args see {@link #main}
     * @return the training losses and the number of perturbed steps
     * @throws IOException if the data cannot be iterated
     * @throws TranslateException if the data cannot be batched
     */
    public static Result runExample(String... args) throws IOException, TranslateException {
        ExampleArgs options = ExampleArgs.parse(args, Set.of("epochs", "train", "seed"), Set.of());
        int epochs = options.integer("epochs", 3, 1);
        int trainSize = options.integer("train", 1024, 1);
        long seed = options.integer("seed", 0, 0);
        Engine.getInstance().setRandomSeed((int) seed);
        ImageDataset images = SyntheticShapes.train(trainSize, seed);

        try (Model model = Model.newInstance("small-cnn");
                NDManager data = NDManager.newBaseManager()) {
            model.setBlock(SmallCnn.builder().setNumClasses(images.numClasses()).build());
            Batch all = images.batch(data, IntStream.range(0, images.size()).toArray());
            ArrayDataset dataset =
                    new ArrayDataset.Builder()
                            .setData(all.getData().head())
                            .optLabels(all.getLabels().head())
                            .setSampling(64, true)
                            .build();

            // tag::wrap[]
            Optimizer sgd =
                    Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.05f))
                            .optMomentum(0.9f)
                            .optWeightDecays(5e-4f)
                            .build();
            // The one change to the configuration: wrap the optimizer.
            AwpOptimizer awp = AwpOptimizer.wrap(sgd, WeightPerturbation.of(0.01));
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(awp);
            // end::wrap[]

            List<Double> epochLosses = new ArrayList<>();
            int perturbedSteps = 0;
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 32, 32));
                InputAttack attack = InputAttacks.bind(Attacks.pgdTraining());
                TrainingObjective objective = TrainingObjectives.bind(Objectives.pgdAt());
                // tag::loop[]
                for (int epoch = 0; epoch < epochs; epoch++) {
                    awp.setEpoch(epoch); // for the warm-up, if any
                    double lossSum = 0;
                    int batches = 0;
                    for (Batch batch : trainer.iterateDataset(dataset)) {
                        NDArray x = batch.getData().head();
                        NDArray y = batch.getLabels().head();
                        NDArray xAdv = attack.generate(AttackTarget.of(trainer), x, y);
                        // The one added call: perturb the weights by v for this batch.
                        try (AppliedPerturbation v = awp.perturb(trainer, objective, x, y, xAdv)) {
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(xAdv)).head();
                                NDArray loss = objective.loss(null, logits, y);
                                collector.backward(loss);
                                lossSum += loss.getFloat();
                            }
                            trainer.step(); // steps at w + v, then restores w
                            perturbedSteps += v.isActive() ? 1 : 0;
                        }
                        batches++;
                        batch.close();
                    }
                    epochLosses.add(lossSum / batches);
                    System.out.printf(
                            Locale.ROOT, "epoch %d: loss %.4f%n", epoch, lossSum / batches);
                }
                // end::loop[]
            }
            return new Result(epochLosses, perturbedSteps);
        }
    }
}
