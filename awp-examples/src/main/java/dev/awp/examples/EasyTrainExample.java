package dev.awp.examples;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.objective.ObjectiveLoss;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.djl.training.BatchResult;
import dev.awp.djl.training.EpochResult;
import dev.awp.djl.training.ValidationResult;
import dev.awp.objective.Objective;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * TRADES-AWP on DJL datasets with DJL's idioms: {@link AwpEasyTrain} mirrors DJL's {@code
 * EasyTrain} ({@code fit}, {@code trainBatch} + {@code trainer.step()}, {@code evaluateDataset}),
 * and {@link ObjectiveLoss} makes DJL's loss evaluator and logging listener report the TRADES loss.
 * The first epochs run through {@code fit}; one more epoch is written out as DJL's loop, to show
 * that {@code trainBatch} leaves the step to the caller.
 *
 * <p>Run: {@code ./mvnw -B -q -Prun -pl awp-examples -am verify -DskipTests
 * -Dexample.main=dev.awp.examples.EasyTrainExample -Dexample.args="--epochs 3"}.
 */
public final class EasyTrainExample {

    private EasyTrainExample() {}

    /**
     * What the example measured.
     *
     * @param fitEpochs what {@code fit} measured per epoch
     * @param loopLoss the mean TRADES loss of the epoch written as DJL's loop
     * @param test clean and PGD accuracy on the test images at the end
     */
    public record Result(List<EpochResult> fitEpochs, double loopLoss, ValidationResult test) {}

    /**
     * Runs the example from the command line.
     *
     * @param args {@code --epochs N} (epochs of {@code fit}, default 3), {@code --train N} (images,
     *     default 1024), {@code --test N} (default 256), {@code --seed N}
     * @throws IOException if the data cannot be iterated
     * @throws TranslateException if the data cannot be batched
     */
    public static void main(String[] args) throws IOException, TranslateException {
        Result result = runExample(args);
        System.out.printf(
                Locale.ROOT,
                "test: clean %.1f%%, PGD %.1f%% (%d images)%n",
                100 * result.test().cleanAccuracy(),
                100 * result.test().adversarialAccuracy(),
                result.test().size());
    }

    /**
     * Trains a small CNN with TRADES-AWP on synthetic images held in DJL {@link ArrayDataset}s.
     *
     * @param args see {@link #main}
     * @return the measurements
     * @throws IOException if the data cannot be iterated
     * @throws TranslateException if the data cannot be batched
     */
    public static Result runExample(String... args) throws IOException, TranslateException {
        ExampleArgs options =
                ExampleArgs.parse(args, Set.of("epochs", "train", "test", "seed"), Set.of());
        int epochs = options.integer("epochs", 3, 1);
        int trainSize = options.integer("train", 1024, 1);
        int testSize = options.integer("test", 256, 1);
        long seed = options.integer("seed", 0, 0);
        Engine.getInstance().setRandomSeed((int) seed);

        try (Model model = Model.newInstance("small-cnn");
                NDManager data = NDManager.newBaseManager()) {
            ArrayDataset train = arrays(SyntheticShapes.train(trainSize, seed), data, true);
            ArrayDataset test = arrays(SyntheticShapes.test(testSize, seed), data, false);
            model.setBlock(SmallCnn.builder().setNumClasses(SyntheticShapes.NUM_CLASSES).build());

            // tag::config[]
            Objective trades = Objectives.trades(); // β = 6
            Attack attack = Attacks.pgdTraining(); // PGD-10, ε = 8/255, α = 2/255
            AwpOptimizer awp =
                    AwpOptimizer.wrap(
                            Optimizer.sgd()
                                    .setLearningRateTracker(Tracker.fixed(0.05f))
                                    .optMomentum(0.9f)
                                    .optWeightDecays(5e-4f)
                                    .build(),
                            WeightPerturbation.of(0.005)); // γ of TRADES-AWP
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(ObjectiveLoss.of(trades)) // DJL reports TRADES
                            .optOptimizer(awp)
                            .addTrainingListeners(TrainingListener.Defaults.logging());
            // end::config[]

            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 32, 32));
                // tag::fit[]
                List<EpochResult> fitEpochs =
                        AwpEasyTrain.fit(trainer, epochs, train, test, attack, trades, awp);
                // end::fit[]

                // tag::loop[]
                double lossSum = 0;
                long examples = 0;
                for (Batch batch : trainer.iterateDataset(train)) {
                    BatchResult r = AwpEasyTrain.trainBatch(trainer, awp, attack, trades, batch);
                    trainer.step(); // updates at w + v, then restores w
                    lossSum += r.loss() * r.size();
                    examples += r.size();
                    batch.close();
                }
                trainer.notifyListeners(listener -> listener.onEpoch(trainer));
                ValidationResult result =
                        AwpEasyTrain.evaluateDataset(trainer, test, Attacks.pgd(20));
                // end::loop[]
                return new Result(fitEpochs, lossSum / examples, result);
            }
        }
    }

    /** The images and labels of an {@link ImageDataset} as one DJL {@link ArrayDataset}. */
    private static ArrayDataset arrays(ImageDataset images, NDManager manager, boolean shuffle) {
        Batch all = images.batch(manager, IntStream.range(0, images.size()).toArray());
        return new ArrayDataset.Builder()
                .setData(all.getData().head())
                .optLabels(all.getLabels().head())
                .setSampling(64, shuffle)
                .build();
    }
}
