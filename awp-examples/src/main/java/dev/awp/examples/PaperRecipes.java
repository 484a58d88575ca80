package dev.awp.examples;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.nn.Block;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.model.Normalization;
import dev.awp.djl.model.PreActResNet18;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.model.WideResNet;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.MultiStepSchedule;
import dev.awp.training.Recipes;
import dev.awp.training.Schedules;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The paper's recipes on CIFAR-10, from a local copy of the binary version ({@code
 * cifar-10-batches-bin}, from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz), or with
 * {@code --dataset} on the MNIST family or the embedded SyntheticShapes:
 *
 * <table>
 *   <caption>Recipes</caption>
 *   <tr><th>{@code --recipe}</th><th>specification</th><th>default model</th>
 *       <th>augmentation</th></tr>
 *   <tr><td>{@code at-awp}</td><td>{@link Recipes#atAwp()}</td><td>PreActResNet-18, with the
 *       CIFAR-10 normalization inside</td><td>reflect-pad 4, crop, flip</td></tr>
 *   <tr><td>{@code trades-awp}</td><td>{@link Recipes#tradesAwp()}</td><td>WRN-34-10</td>
 *       <td>zero-pad 4, crop, flip</td></tr>
 *   <tr><td>{@code mart-awp}</td><td>{@link Recipes#martAwp()}</td><td>WRN-34-10</td>
 *       <td>zero-pad 4, crop, flip</td></tr>
 * </table>
 *
 * The baselines without AWP are {@code at}, {@code trades} and {@code mart}.
 *
 * <p>{@code --dataset fashion-mnist}, {@code mnist} or {@code kmnist} reads the IDX files in {@code
 * --data-dir} (1×28×28): the model is {@link SmallCnn} without input normalization, the L∞ budget
 * is ε = 0.1 (the recipes' 8/255 does not suit these images; steps scale with ε), and MNIST and
 * KMNIST are not flipped. {@code --dataset synthetic} generates SyntheticShapes ({@code --limit}
 * images per split, 5,000 and 1,000 by default) and needs no folder.
 *
 * <pre>
 * java ... dev.awp.examples.PaperRecipes --recipe at-awp --data-dir ~/data/cifar-10-batches-bin \
 *     --output runs/at-awp
 * java ... dev.awp.examples.PaperRecipes --recipe at-awp --data-dir ... --output runs/at-awp --resume
 * </pre>
 *
 * Options: {@code --recipe}, {@code --data-dir} (required), {@code --epochs} (the recipe's by
 * default; a shorter run scales multi-step milestones to it), {@code --model} ({@code
 * preact-resnet18}, {@code wrn-34-10}, {@code wrn-28-10}, {@code small-cnn}), {@code --device}
 * (e.g. {@code cpu}, {@code gpu0}; default the engine's default device), {@code --output} (default
 * {@code runs/<recipe>}), {@code --resume} (continue from {@code <output>/checkpoints/last.ckpt}),
 * {@code --limit N} (use the first-drawn N training and N test images, for smoke runs), {@code
 * --eval-size N} (the validation and train subsets, default 1000), {@code --dataset} ({@code
 * cifar10} by default), {@code --epsilon} (the L∞ budget, e.g. {@code 0.1} or {@code 8/255}),
 * {@code --quiet}, {@code --help}. At GPU scale these are the paper's settings; on a CPU, use
 * {@code --limit} and {@code --model small-cnn} to try them.
 */
public final class PaperRecipes {

    private static final Set<String> OPTIONS =
            Set.of(
                    "recipe",
                    "data-dir",
                    "epochs",
                    "model",
                    "device",
                    "output",
                    "limit",
                    "eval-size",
                    "dataset",
                    "epsilon");
    private static final Set<String> FLAGS = Set.of("resume", "quiet", "help");
    private static final List<String> RECIPES =
            List.of("at-awp", "trades-awp", "mart-awp", "at", "trades", "mart");
    private static final List<String> MODELS =
            List.of("preact-resnet18", "wrn-34-10", "wrn-28-10", "small-cnn");

    private PaperRecipes() {}

    /**
     * Runs a recipe from the command line; prints the error and exits with status 2 on invalid
     * options or a missing or malformed dataset folder.
     *
     * @param args the options; see the class documentation
     */
    public static void main(String[] args) {
        try {
            runExample(args);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Runs a recipe.
     *
     * @param args the options; see the class documentation
     * @return the report of the run, or null with {@code --help}
     * @throws IllegalArgumentException if an option is invalid, or the dataset folder is missing or
     *     malformed (the message names the file and what is wrong)
     * @throws IllegalStateException if {@code --resume} finds no checkpoint
     */
    public static TrainingReport runExample(String... args) {
        ExampleArgs options = ExampleArgs.parse(args, OPTIONS, FLAGS);
        if (options.has("help")) {
            System.out.println(usage());
            return null;
        }
        String recipe = options.string("recipe", "at-awp");
        if (!RECIPES.contains(recipe)) {
            throw new IllegalArgumentException(
                    "--recipe must be one of " + RECIPES + " but was " + recipe);
        }
        ExampleData data = ExampleData.parse(options, ExampleData.CIFAR10);
        String model =
                options.string("model", data.mnistFamily() ? "small-cnn" : defaultModel(recipe));
        if (!MODELS.contains(model)) {
            throw new IllegalArgumentException(
                    "--model must be one of " + MODELS + " but was " + model);
        }
        if (data.mnistFamily() && !model.equals("small-cnn")) {
            throw new IllegalArgumentException(
                    "--model must be small-cnn for --dataset "
                            + data.option
                            + " (1×28×28 images; the residual networks are built for 32×32) but"
                            + " was "
                            + model);
        }
        Path output = Path.of(options.string("output", "runs/" + recipe));
        int limit = options.integer("limit", 0, 1);
        int evalSize = options.integer("eval-size", 1000, 1);
        double epsilon = options.positive("epsilon", data.defaultEpsilon);

        ExampleData.Splits splits =
                data.read(options, limit > 0 ? limit : 5000, limit > 0 ? limit : 1000, 0);
        ImageDataset train = splits.train();
        ImageDataset test = splits.test();
        if (limit > 0) {
            train = limit < train.size() ? train.subset(limit, 0) : train;
            test = limit < test.size() ? test.subset(limit, 0) : test;
        }
        AdversarialTraining spec = ExampleData.withEpsilon(recipe(recipe), epsilon);
        if (options.has("epochs")) {
            spec = withEpochs(spec, options.integer("epochs", spec.epochs(), 1));
        }
        spec =
                spec.withEvaluation(
                        EvaluationPlan.builder()
                                .from(spec.evaluation())
                                .subsetSize(evalSize)
                                .trainSubsetSize(evalSize)
                                .build());

        // tag::trainer[]
        // the recipes' CIFAR-10 augmentation, asked for explicitly: the trainer applies none
        Augmentation augmentation =
                data.augmentation(
                        recipe.startsWith("at")
                                ? Augmentation.reflectPadCropFlip()
                                : Augmentation.zeroPadCropFlip());
        AdversarialTrainer.Builder builder =
                AdversarialTrainer.builder(spec)
                        .setTrainData(train)
                        .setValidationData(test)
                        .optOutputDirectory(output)
                        .optAugmentation(augmentation);
        if (options.has("quiet")) {
            builder.optNoProgress();
        }
        if (options.has("device")) {
            builder.optDevice(Device.fromName(options.string("device", "cpu")));
        }
        AdversarialTrainer trainer = builder.build();
        // end::trainer[]
        System.out.printf(
                Locale.ROOT,
                "%s: %s on %s (%d train / %d test images), L∞ ε = %s, %d epochs, output %s;"
                        + " augmentation: %s; optimizer: %s%n",
                recipe,
                model,
                train.name(),
                train.size(),
                test.size(),
                ExampleData.describe(epsilon),
                spec.epochs(),
                output,
                augmentation.describe(),
                spec.optimizer().describe());
        Device device =
                options.has("device") ? Device.fromName(options.string("device", "cpu")) : null;
        try (Model net =
                device == null ? Model.newInstance(model) : Model.newInstance(model, device)) {
            // CIFAR-10's normalization has three channels: the MNIST family goes unnormalized
            net.setBlock(
                    block(
                            model,
                            recipe.startsWith("at") && !data.mnistFamily(),
                            train.numClasses()));
            // tag::resume[]
            TrainingReport report = options.has("resume") ? trainer.resume(net) : trainer.fit(net);
            // end::resume[]
            System.out.printf(
                    Locale.ROOT,
                    "done in %.0f s; best epoch %s, robust accuracy %s; checkpoints in %s%n",
                    report.totalSeconds(),
                    report.bestEpoch().map(e -> String.valueOf(e + 1)).orElse("-"),
                    report.bestRobustAccuracy()
                            .map(a -> String.format(Locale.ROOT, "%.2f%%", 100 * a.value()))
                            .orElse("-"),
                    output.resolve(AdversarialTrainer.CHECKPOINTS));
            return report;
        }
    }

    private static AdversarialTraining recipe(String name) {
        switch (name) {
            case "at-awp":
                return Recipes.atAwp();
            case "trades-awp":
                return Recipes.tradesAwp();
            case "mart-awp":
                return Recipes.martAwp();
            case "at":
                return Recipes.at();
            case "trades":
                return Recipes.trades();
            default:
                return Recipes.mart();
        }
    }

    /**
     * The recipe shortened to {@code epochs}: multi-step milestones are scaled in proportion, in
     * 1-based epochs as the reference counts them (TRADES's ×0.1 at 100 of 200 becomes 10 of 20,
     * the 0-based milestone 9; the piecewise reference schedule is relative to the run already),
     * and the AWP warm-up is capped so that AWP still starts.
     */
    static AdversarialTraining withEpochs(AdversarialTraining spec, int epochs) {
        AdversarialTraining.Builder builder =
                AdversarialTraining.builder().from(spec).epochs(epochs);
        if (spec.schedule() instanceof MultiStepSchedule) {
            MultiStepSchedule schedule = (MultiStepSchedule) spec.schedule();
            List<Integer> scaled =
                    schedule.milestones().stream()
                            .map(
                                    m ->
                                            (int)
                                                    Math.max(
                                                            1,
                                                            Math.round(
                                                                            (m + 1.0)
                                                                                    * epochs
                                                                                    / spec.epochs())
                                                                    - 1))
                            .distinct()
                            .filter(m -> m < epochs)
                            .collect(Collectors.toList());
            builder.schedule(
                    scaled.isEmpty()
                            ? Schedules.constant()
                            : Schedules.multiStep(
                                    schedule.factor(),
                                    scaled.stream().mapToInt(Integer::intValue).toArray()));
        }
        if (spec.weightPerturbation().warmupEpochs() >= epochs) {
            builder.weightPerturbation(
                    spec.weightPerturbation()
                            .withWarmupEpochs(
                                    Math.min(
                                            spec.weightPerturbation().warmupEpochs(), epochs / 2)));
        }
        builder.evaluation(
                spec.evaluation()
                        .withEveryEpochs(Math.min(spec.evaluation().everyEpochs(), epochs)));
        return builder.build();
    }

    private static String defaultModel(String recipe) {
        return recipe.startsWith("at") ? "preact-resnet18" : "wrn-34-10";
    }

    private static Block block(String model, boolean normalize, int classes) {
        switch (model) {
            case "preact-resnet18":
                PreActResNet18.Builder preAct = PreActResNet18.builder().setNumClasses(classes);
                return normalize
                        ? preAct.optNormalization(Normalization.cifar10()).build()
                        : preAct.build();
            case "wrn-34-10":
            case "wrn-28-10":
                WideResNet.Builder wrn =
                        WideResNet.builder()
                                .setDepth(model.equals("wrn-34-10") ? 34 : 28)
                                .setWidenFactor(10)
                                .setNumClasses(classes);
                return normalize
                        ? wrn.optNormalization(Normalization.cifar10()).build()
                        : wrn.build();
            default:
                SmallCnn.Builder small = SmallCnn.builder().setNumClasses(classes);
                return normalize
                        ? small.optNormalization(Normalization.cifar10()).build()
                        : small.build();
        }
    }

    private static String usage() {
        return String.join(
                System.lineSeparator(),
                "PaperRecipes: the AWP paper's recipes on CIFAR-10 (binary version, local folder).",
                "  --dataset NAME   " + ExampleData.HELP + " (default cifar10)",
                "  --recipe NAME    " + String.join(", ", RECIPES) + " (default at-awp)",
                "  --data-dir DIR   required but for synthetic; " + ExampleData.DATA_DIR_HELP,
                "  --epsilon E      L∞ budget, e.g. 0.1 or 8/255 (default 8/255; 0.1 for the MNIST"
                        + " family); step sizes scale with it",
                "  --epochs N       epochs (default: the recipe's; milestones scale with it)",
                "  --model NAME     "
                        + String.join(", ", MODELS)
                        + " (default: preact-resnet18 for at*, wrn-34-10 otherwise;"
                        + " small-cnn, the only choice, for the MNIST family)",
                "  --device NAME    cpu, gpu0, ... (default: the engine's default device)",
                "  --output DIR     metrics.jsonl and checkpoints (default runs/<recipe>)",
                "  --resume         continue from <output>/checkpoints/last.ckpt",
                "  --limit N        use N training and N test images (smoke runs; synthetic:"
                        + " 5000/1000 without it)",
                "  --eval-size N    validation and train subset size (default 1000)",
                "  --quiet          no progress bars",
                "  --help           this text");
    }
}
