package dev.awp.examples;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import dev.awp.attack.Attacks;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.torchscript.TorchScriptClassifier;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.RobustnessReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Schedules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A classifier from Python: load a TorchScript file, evaluate its robustness, fine-tune it with
 * AT-AWP, evaluate again and export it back to TorchScript.
 *
 * <p>The model must take {@code (B, 3, 32, 32)} images in [0, 1] and return 10 logits (the shape of
 * the embedded {@code SyntheticShapes} data this example uses); with your own data, use your
 * model's shapes. Make one with {@code awp-examples/src/main/python/torchscript_models.py fixtures
 * DIR} ({@code DIR/res_cnn_32.pt}).
 *
 * <p>Run: {@code ./mvnw -B -q -Prun -pl awp-examples -am verify -DskipTests
 * -Dexample.main=dev.awp.examples.TorchScriptExample -Dexample.args="--model /tmp/m/res_cnn_32.pt
 * --output /tmp/m/fine-tuned.pt"}.
 */
public final class TorchScriptExample {

    private TorchScriptExample() {}

    /**
     * What the example measured.
     *
     * @param before the robustness of the model as it came from Python
     * @param after the robustness after the fine-tuning
     * @param exported the TorchScript file written
     */
    public record Result(RobustnessReport before, RobustnessReport after, Path exported) {}

    /**
     * Runs the example from the command line.
     *
     * @param args {@code --model FILE} (required), {@code --output FILE} (default: {@code
     *     fine-tuned.pt} beside the model), {@code --epochs N} (default 3), {@code --train N}
     *     (images, default 512), {@code --test N} (images evaluated, default 100)
     * @throws IOException if the model cannot be read or written
     * @throws MalformedModelException if the model file is not TorchScript
     */
    public static void main(String[] args) throws IOException, MalformedModelException {
        Result result = runExample(args);
        print("as loaded ", result.before());
        print("fine-tuned", result.after());
        System.out.println("exported to " + result.exported());
    }

    private static void print(String label, RobustnessReport report) {
        System.out.printf(
                Locale.ROOT,
                "%s: clean %.1f %%, robust (FGSM, PGD-20) %.1f %%%n",
                label,
                100 * report.cleanAccuracy().value(),
                100 * report.robustAccuracy().value());
    }

    /**
     * Loads, evaluates, fine-tunes, evaluates and exports a TorchScript classifier.
     *
     * @param args see {@link #main}
     * @return the reports before and after, and the exported file
     * @throws IOException if the model cannot be read or written
     * @throws MalformedModelException if the model file is not TorchScript
     */
    public static Result runExample(String... args) throws IOException, MalformedModelException {
        ExampleArgs options =
                ExampleArgs.parse(
                        args, Set.of("model", "output", "epochs", "train", "test"), Set.of());
        if (!options.has("model")) {
            throw new IllegalArgumentException(
                    "--model must be a TorchScript file but was missing");
        }
        Path file = Path.of(options.string("model", ""));
        Path output =
                Path.of(options.string("output", file.resolveSibling("fine-tuned.pt").toString()));
        int epochs = options.integer("epochs", 3, 1);
        ImageDataset train = SyntheticShapes.train(options.integer("train", 512, 16), 0);
        ImageDataset test = SyntheticShapes.test(options.integer("test", 100, 1), 0);
        int testSize = test.size();

        // tag::load[]
        try (Model model = Model.newInstance("from-python", "PyTorch")) {
            // trainParam: load the weights as trainable tensors (DJL freezes them otherwise)
            model.load(
                    file.toAbsolutePath().getParent(),
                    file.getFileName().toString(),
                    Map.of("trainParam", "true"));
            TorchScriptClassifier classifier = TorchScriptClassifier.of(model);
            // end::load[]

            // tag::evaluate[]
            RobustnessEvaluator evaluator =
                    RobustnessEvaluator.builder()
                            .optAttacks(List.of(Attacks.fgsm(), Attacks.pgd20()))
                            .optSeed(0)
                            .optNoProgress()
                            .build();
            RobustnessReport before = evaluator.evaluate(classifier, test, testSize, 0);
            // end::evaluate[]

            // tag::fine-tune[]
            AdversarialTraining fineTuning =
                    AdversarialTraining.builder()
                            .objective(Objectives.pgdAt())
                            .attack(Attacks.pgdTraining())
                            .weightPerturbation(WeightPerturbation.of(0.01))
                            .epochs(epochs)
                            .batchSize(64)
                            .optimizer(OptimizerSpec.sgd(0.01, 0.9, 5e-4))
                            .schedule(Schedules.reference())
                            .evaluation(
                                    EvaluationPlan.builder()
                                            .subsetSize(testSize)
                                            .trainSubsetSize(64)
                                            .attack(Attacks.pgd(10))
                                            .build())
                            .seed(0)
                            .build();
            AdversarialTrainer.builder(fineTuning)
                    .setTrainData(train)
                    .setValidationData(test)
                    .optNoProgress()
                    .build()
                    .fit(model);
            // end::fine-tune[]

            RobustnessReport after = evaluator.evaluate(classifier, test, testSize, 0);
            // tag::export[]
            Files.createDirectories(output.toAbsolutePath().getParent());
            classifier.exportTo(output); // torch.jit.load(..) in Python
            // end::export[]
            return new Result(before, after, output);
        }
    }
}
