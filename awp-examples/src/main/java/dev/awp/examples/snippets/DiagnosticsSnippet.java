package dev.awp.examples.snippets;

import ai.djl.Model;
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
import dev.awp.djl.diagnostics.LandscapeResult;
import dev.awp.djl.diagnostics.PerturbationComparison;
import dev.awp.djl.diagnostics.WeightLandscape;
import dev.awp.djl.model.SmallCnn;
import dev.awp.objective.Objectives;
import java.util.Locale;

/** The diagnostics of the reports how-to: the weight loss landscape and random vs adversarial v. */
public final class DiagnosticsSnippet {

    private DiagnosticsSnippet() {}

    /**
     * What the diagnostics measured.
     *
     * @param landscape the weight loss landscape
     * @param comparison the random vs adversarial perturbation
     */
    public record Result(LandscapeResult landscape, PerturbationComparison comparison) {}

    /**
     * Runs both diagnostics on an untrained small CNN.
     *
     * @param testSize the number of images
     * @param points the number of points of the landscape
     * @return the results
     */
    public static Result run(int testSize, int points) {
        ImageDataset test = SyntheticShapes.test(testSize, 0);
        try (Model model = Model.newInstance("small-cnn")) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).build());
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                            .optOptimizer(
                                    Optimizer.sgd()
                                            .setLearningRateTracker(Tracker.fixed(0.05f))
                                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 32, 32));
                // tag::landscape[]
                LandscapeResult landscape =
                        WeightLandscape.builder()
                                .attack(Attacks.pgd(10)) // x' regenerated at every w + α·d
                                .alphas(-1, 1, points) // the paper: 51 points in [−1, 1]
                                .seed(0)
                                .build()
                                .compute("AT-AWP", model.getBlock(), test);
                System.out.println(landscape.toCsv()); // alpha, adversarial and clean loss
                System.out.printf(Locale.ROOT, "sharpness %.4f%n", landscape.sharpness());
                // end::landscape[]
                try (Batch batch = test.batch(trainer.getManager(), 0, 1, 2, 3, 4, 5, 6, 7)) {
                    // tag::comparison[]
                    PerturbationComparison comparison =
                            PerturbationComparison.measure(
                                    trainer,
                                    Objectives.pgdAt(),
                                    Attacks.pgdTraining(),
                                    batch.getData().head(),
                                    batch.getLabels().head(),
                                    0.01, // γ
                                    5, // random draws
                                    0); // seed
                    System.out.printf(
                            Locale.ROOT,
                            "loss increase: adversarial v %.5f, random v %.5f%n",
                            comparison.adversarialIncrease(),
                            comparison.randomIncrease());
                    // end::comparison[]
                    return new Result(landscape, comparison);
                }
            }
        }
    }
}
