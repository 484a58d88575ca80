package dev.awp.examples;

import ai.djl.Model;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.PgdAttack;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Recipes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The quick start: on the embedded Fashion-MNIST subset ({@link EmbeddedFashionMnist}: real 1×28×28
 * images of clothing, no download), trains the same {@link SmallCnn} twice under the same seed and
 * budget — with PGD-AT, then with AT-AWP (γ = 0.01, the paper's AT-AWP value, from the first epoch
 * as in the paper) — at L∞ ε = 0.1, and prints clean accuracy, PGD-20 robust accuracy and the
 * train–test robust gap of each, then the time each took. The same seed prints the same table. With
 * {@code --dataset} and {@code --data-dir} it runs the same comparison on SyntheticShapes, on a
 * subset of CIFAR-10 or of the MNIST family (ε = 8/255 for the 3×32×32 datasets; MNIST and KMNIST
 * are not flipped).
 *
 * <p>AWP is the paper's (γ = 0.01 on every convolution and linear weight, warm-up 0). Four settings
 * differ from its CIFAR-10 recipe so that the whole command takes a few minutes on two shared CPU
 * cores: a small network (width 8, batch 16, 4 epochs of 3,000 images); the training attack is
 * PGD-5 with steps of 2.5ε/5 (Madry et al.'s rule; the recipe's PGD-10 with ε/4 is the same rule
 * for 10 steps); it runs with BatchNorm in inference mode (as ART and torchattacks do; in training
 * mode a network this small stayed at chance on SyntheticShapes, reproduced in PyTorch by {@code
 * src/main/python/bn_mode_check.py}); and the learning rate, 0.05, is kept for all epochs but the
 * last, where it is divided by 10. PyTorch runs one intra-op thread ({@code --threads}): the
 * printed table then depends on the seed only, not on the machine's core count.
 *
 * <pre>
 * ./mvnw -B -q -Prun -pl awp-examples -am verify -DskipTests -Dinvoker.skip
 * ./mvnw -B -q -Prun -pl awp-examples -am verify -DskipTests -Dinvoker.skip -Dexample.args='--epochs 10'
 * </pre>
 *
 * Options: {@code --train-size} (default 3000, the first images of the embedded training split: 300
 * per class), {@code --test-size} (500, also the size of the training subset the gap is measured
 * on), {@code --epochs} (4), {@code --width} (the network's width, 8), {@code --batch-size} (16),
 * {@code --train-steps} (the training attack's PGD steps, 5; step size 2.5ε/steps), {@code
 * --awp-warmup} (epochs of plain PGD-AT before AWP starts in the AT-AWP run, 0), {@code --threads}
 * (PyTorch intra-op threads, 1), {@code --seed} (0), {@code --output} (a directory for metrics logs
 * and checkpoints; none by default), {@code --quiet} (no progress bars), {@code --help}, {@code
 * --dataset} ({@code fashion-mnist} by default, {@code synthetic}, {@code cifar10}, {@code mnist},
 * {@code kmnist}), {@code --data-dir} (the dataset's folder: required for {@code cifar10}, {@code
 * mnist} and {@code kmnist}; for {@code fashion-mnist}, the full dataset instead of the embedded
 * subset), {@code --epsilon} (the L∞ budget, 0.1 for the MNIST family, 8/255 for the others; the
 * step sizes scale with it).
 */
public final class QuickStart {

    /** The default number of training images. */
    static final int TRAIN_SIZE = 3000;

    /** The default number of test images, and of training images the gap is measured on. */
    static final int TEST_SIZE = 500;

    /** The default number of epochs. */
    static final int EPOCHS = 4;

    /** The default width of the {@link SmallCnn}. */
    static final int WIDTH = 8;

    /** The default batch size. */
    static final int BATCH_SIZE = 16;

    /** The default number of PGD steps of the training attack. */
    static final int TRAIN_STEPS = 5;

    /** AWP's γ: the paper's value for AT-AWP. */
    static final double GAMMA = 0.01;

    private static final Set<String> OPTIONS =
            Set.of(
                    "train-size",
                    "test-size",
                    "epochs",
                    "width",
                    "batch-size",
                    "train-steps",
                    "awp-warmup",
                    "threads",
                    "seed",
                    "output",
                    "dataset",
                    "data-dir",
                    "epsilon");
    private static final Set<String> FLAGS = Set.of("quiet", "help");

    private QuickStart() {}

    /**
     * Runs the quick start from the command line.
     *
     * @param args the options; see the class documentation
     */
    public static void main(String[] args) {
        ExampleRun.main(args, QuickStart::runExample);
    }

    /**
     * Runs the quick start and prints its table.
     *
     * @param args the options; see the class documentation
     * @return the reports by method name ({@code "PGD-AT"}, {@code "AT-AWP"}); empty with {@code
     *     --help}
     * @throws IllegalArgumentException if an option is invalid, or the dataset folder is missing or
     *     malformed
     */
    public static Map<String, TrainingReport> runExample(String... args) {
        ExampleArgs options = ExampleArgs.parse(args, OPTIONS, FLAGS);
        Map<String, TrainingReport> reports = new LinkedHashMap<>();
        if (options.has("help")) {
            System.out.println(usage());
            return reports;
        }
        int trainSize = options.integer("train-size", TRAIN_SIZE, 1);
        int testSize = options.integer("test-size", TEST_SIZE, 1);
        int epochs = options.integer("epochs", EPOCHS, 1);
        int width = options.integer("width", WIDTH, 1);
        int batchSize = options.integer("batch-size", BATCH_SIZE, 1);
        int trainSteps = options.integer("train-steps", TRAIN_STEPS, 1);
        int awpWarmup = options.integer("awp-warmup", 0, 0);
        int threads = options.integer("threads", 1, 1);
        int seed = options.integer("seed", 0, 0);
        boolean quiet = options.has("quiet");
        Path output = options.has("output") ? Path.of(options.string("output", ".")) : null;
        ExampleData data = ExampleData.parse(options, ExampleData.FASHION_MNIST);
        double epsilon = options.positive("epsilon", data.defaultEpsilon);
        if (awpWarmup >= epochs) {
            throw new IllegalArgumentException(
                    "--awp-warmup must be less than --epochs ("
                            + epochs
                            + ") so that AWP runs but was "
                            + awpWarmup);
        }

        threads = PyTorchThreads.use(threads);

        if (data == ExampleData.SYNTHETIC) {
            System.out.printf(
                    Locale.ROOT,
                    "Generating SyntheticShapes: %d training and %d test images (seed %d)...%n",
                    trainSize,
                    testSize,
                    seed);
        }
        ExampleData.Splits splits = data.read(options, trainSize, testSize, seed);
        // the embedded subset is cut to its first images (stratified), a dataset read from
        // --data-dir to seeded random subsets
        ImageDataset train = splits.train(trainSize, seed);
        ImageDataset test = splits.test(testSize, seed);

        // PGD-k with steps of 2.5ε/k (Madry et al.): the recipe's PGD-10 with 2/255 for 8/255 is
        // the same rule for k = 10; the step scales with ε below
        PgdAttack trainingAttack =
                Attacks.pgdTraining()
                        // BatchNorm in inference mode during the attack, as ART and torchattacks
                        // do: with the reference's training mode a network this small stayed at
                        // chance on SyntheticShapes (measured, and reproduced in PyTorch)
                        .withBatchNormMode(BatchNormMode.EVAL)
                        .withSteps(trainSteps)
                        .withStepSize(2.5 * Attacks.LINF_EPSILON / trainSteps);
        AdversarialTraining at =
                Recipes.at()
                        .withAttack(trainingAttack)
                        .withEpochs(epochs)
                        .withBatchSize(batchSize)
                        .withOptimizer(OptimizerSpec.sgd(0.05, 0.9, 5e-4))
                        .withSchedule(ExampleRun.shortRunSchedule(epochs))
                        .withEvaluation(
                                ExampleRun.evaluation(epochs, Attacks.pgd20(), train, test, seed))
                        .withCheckpoints(
                                output == null
                                        ? CheckpointPolicy.none()
                                        : CheckpointPolicy.builder().build())
                        .withSeed(seed);
        at = ExampleData.withEpsilon(at, epsilon);
        // AT-AWP as in the paper: γ = 0.01, from the first epoch unless --awp-warmup says otherwise
        AdversarialTraining atAwp =
                at.withWeightPerturbation(WeightPerturbation.of(GAMMA).withWarmupEpochs(awpWarmup));

        Augmentation augmentation = data.augmentation(Augmentation.reflectPadCropFlip());
        reports.put("PGD-AT", train(at, "PGD-AT", train, test, augmentation, width, output, quiet));
        reports.put(
                "AT-AWP", train(atAwp, "AT-AWP", train, test, augmentation, width, output, quiet));

        PgdAttack scaledAttack = (PgdAttack) at.attack();
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "SmallCnn (width %d) on %s, %d train / %d test images, %d epochs, batch %d, seed"
                        + " %d, %d PyTorch thread%s; L∞ ε = %s, trained with PGD-%d (step %s,"
                        + " BatchNorm in inference mode), evaluated with PGD-20; AWP γ = %s from"
                        + " epoch %d; augmentation: %s; optimizer: %s%n",
                width,
                splits.title(),
                train.size(),
                test.size(),
                epochs,
                batchSize,
                seed,
                threads,
                threads == 1 ? "" : "s",
                ExampleData.describe(epsilon),
                trainSteps,
                ExampleData.describe(scaledAttack.stepSize()),
                GAMMA,
                awpWarmup + 1,
                augmentation.describe(),
                at.optimizer().describe());
        System.out.print(ExampleRun.table(reports));
        System.out.println(ExampleRun.times(reports));
        return reports;
    }

    private static TrainingReport train(
            AdversarialTraining spec,
            String name,
            ImageDataset train,
            ImageDataset test,
            Augmentation augmentation,
            int width,
            Path output,
            boolean quiet) {
        System.out.println();
        System.out.println("== " + name + " ==");
        // tag::trainer[]
        AdversarialTrainer.Builder builder =
                AdversarialTrainer.builder(spec)
                        .setTrainData(train)
                        .setValidationData(test)
                        // reflect-pad 4, crop, flip; none for MNIST and KMNIST, which flips
                        // turn into other symbols
                        .optAugmentation(augmentation);
        if (quiet) {
            builder.optNoProgress();
        }
        if (output != null) {
            builder.optOutputDirectory(output.resolve(name.toLowerCase(Locale.ROOT)));
        }
        try (Model model = Model.newInstance("small-cnn-" + name)) {
            model.setBlock(
                    SmallCnn.builder().setNumClasses(train.numClasses()).optWidth(width).build());
            return builder.build().fit(model);
        }
        // end::trainer[]
    }

    private static String usage() {
        return String.join(
                System.lineSeparator(),
                "QuickStart: PGD-AT vs AT-AWP on the embedded Fashion-MNIST subset, or another"
                        + " dataset.",
                "  --dataset NAME     " + ExampleData.HELP + " (default fashion-mnist)",
                "  --data-dir DIR     " + ExampleData.DATA_DIR_HELP,
                "  --epsilon E        L∞ budget, e.g. 0.1 or 8/255 (default 0.1 for the MNIST"
                        + " family, 8/255 for the others); step sizes scale with it",
                "  --train-size N     training images (default "
                        + TRAIN_SIZE
                        + "; of the embedded subset, the first N: N/10 per class)",
                "  --test-size N      test images, and the train subset of the gap (default "
                        + TEST_SIZE
                        + ")",
                "  --epochs N         epochs of each run (default " + EPOCHS + ")",
                "  --width N          SmallCnn width (default " + WIDTH + ")",
                "  --batch-size N     batch size (default " + BATCH_SIZE + ")",
                "  --train-steps N    PGD steps of the training attack, step 2.5ε/N (default "
                        + TRAIN_STEPS
                        + ")",
                "  --awp-warmup N     epochs before AWP starts in the AT-AWP run (default 0)",
                "  --threads N        PyTorch intra-op threads (default 1: the same table on any"
                        + " machine)",
                "  --seed N           the seed of data, initialization and attacks (default 0)",
                "  --output DIR       write metrics.jsonl and checkpoints under DIR",
                "  --quiet            no progress bars",
                "  --help             this text");
    }
}
