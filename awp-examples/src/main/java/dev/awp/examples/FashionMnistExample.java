package dev.awp.examples;

import ai.djl.nn.Block;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.IdxReader;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Recipes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * PGD-AT vs AT-AWP on Fashion-MNIST (1×28×28 grey-level images of clothing, 10 classes), read from
 * its IDX files with {@link IdxReader}: the same {@link SmallCnn} trained twice under the same
 * seed, then clean and PGD-20 accuracy on a test subset. The L∞ budget is ε = 0.1, the usual one
 * for Fashion-MNIST (8/255 is CIFAR's), with steps of ε/4 as the CIFAR recipes' 2/255 for 8/255;
 * the images are zero-padded by 4, cropped back to 28×28 and flipped.
 *
 * <pre>
 * ./mvnw -B -q -Prun -pl awp-examples -am verify -DskipTests -Dinvoker.skip \
 *     -Dexample.main=dev.awp.examples.FashionMnistExample \
 *     -Dexample.args="--data-dir /usr/share/datasets/fashion-mnist"
 * </pre>
 *
 * Options: {@code --data-dir} (required: the folder of {@code train-images-idx3-ubyte}, {@code
 * train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, raw or
 * gzipped; Debian's {@code dataset-fashion-mnist} installs them in {@code
 * /usr/share/datasets/fashion-mnist}), {@code --train-size} (2000), {@code --test-size} (500),
 * {@code --epochs} (3), {@code --width} (16), {@code --batch-size} (32), {@code --seed} (0), {@code
 * --epsilon} (0.1), {@code --quiet}, {@code --help}. As in {@link QuickStart}, the training attack
 * runs with BatchNorm in inference mode, AWP (γ = 0.01) starts after half the run, and the learning
 * rate, 0.05, is divided by 10 for the last epoch.
 */
public final class FashionMnistExample {

    /**
     * The TRADES/MART recipes' zero-pad crop and flip, asked for explicitly (the trainer applies
     * none).
     */
    private static final Augmentation AUGMENTATION = Augmentation.zeroPadCropFlip();

    private static final Set<String> OPTIONS =
            Set.of(
                    "data-dir",
                    "train-size",
                    "test-size",
                    "epochs",
                    "width",
                    "batch-size",
                    "seed",
                    "epsilon");
    private static final Set<String> FLAGS = Set.of("quiet", "help");

    private FashionMnistExample() {}

    /**
     * Runs the example from the command line; prints the error and exits with status 2 on invalid
     * options or a missing or malformed dataset folder.
     *
     * @param args the options; see the class documentation
     */
    public static void main(String[] args) {
        ExampleRun.main(args, FashionMnistExample::runExample);
    }

    /**
     * Runs the example and prints its table.
     *
     * @param args the options; see the class documentation
     * @return the reports by method name ({@code "PGD-AT"}, {@code "AT-AWP"}); empty with {@code
     *     --help}
     * @throws IllegalArgumentException if an option is invalid or the folder does not exist
     * @throws UncheckedIOException if a Fashion-MNIST file is missing or malformed; the message
     *     names the file and what is wrong
     */
    public static Map<String, TrainingReport> runExample(String... args) {
        ExampleArgs options = ExampleArgs.parse(args, OPTIONS, FLAGS);
        Map<String, TrainingReport> reports = new LinkedHashMap<>();
        if (options.has("help")) {
            System.out.println(usage());
            return reports;
        }
        if (!options.has("data-dir")) {
            throw new IllegalArgumentException(
                    "--data-dir must name the folder of the Fashion-MNIST IDX files, e.g."
                            + " /usr/share/datasets/fashion-mnist (Debian: apt-get install"
                            + " dataset-fashion-mnist)");
        }
        Path dataDir = Path.of(options.string("data-dir", "."));
        int trainSize = options.integer("train-size", 2000, 1);
        int testSize = options.integer("test-size", 500, 1);
        int epochs = options.integer("epochs", 3, 1);
        int width = options.integer("width", 16, 1);
        int batchSize = options.integer("batch-size", 32, 1);
        int seed = options.integer("seed", 0, 0);
        double epsilon = options.positive("epsilon", 0.1);
        boolean quiet = options.has("quiet");

        IdxReader.Splits fashion;
        try {
            fashion = IdxReader.fashionMnist(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        ImageDataset train = subset(fashion.train(), trainSize, seed);
        ImageDataset test = subset(fashion.test(), testSize, seed);

        AdversarialTraining at =
                Recipes.at()
                        .withAttack(Attacks.pgdTraining().withBatchNormMode(BatchNormMode.EVAL))
                        .withEpochs(epochs)
                        .withBatchSize(batchSize)
                        .withOptimizer(OptimizerSpec.sgd(0.05, 0.9, 5e-4))
                        .withSchedule(ExampleRun.shortRunSchedule(epochs))
                        .withEvaluation(
                                ExampleRun.evaluation(epochs, Attacks.pgd20(), train, test, seed))
                        .withCheckpoints(CheckpointPolicy.none())
                        .withSeed(seed);
        // L∞ 0.1 for training (PGD-10) and evaluation (PGD-20), steps scaled from 2/255 to 0.025
        at = ExampleData.withEpsilon(at, epsilon);
        AdversarialTraining atAwp =
                at.withWeightPerturbation(WeightPerturbation.of(0.01).withWarmupEpochs(epochs / 2));

        // SmallCnn takes any C×H×W with H, W >= 4: 28 → 14 → 7, then global average pooling
        Map<String, AdversarialTraining> runs = Map.of("PGD-AT", at, "AT-AWP", atAwp);
        for (String name : List.of("PGD-AT", "AT-AWP")) {
            AdversarialTrainer trainer =
                    ExampleRun.trainer(runs.get(name), train, test, quiet)
                            .optAugmentation(AUGMENTATION)
                            .build();
            Block block =
                    SmallCnn.builder().setNumClasses(train.numClasses()).optWidth(width).build();
            reports.put(name, ExampleRun.fit(trainer, name, block));
        }

        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "SmallCnn (width %d) on Fashion-MNIST 1×28×28, %d train / %d test images, %d"
                        + " epochs, batch %d, seed %d; L∞ ε = %s, trained with PGD-10, evaluated"
                        + " with PGD-20; AWP γ = 0.01 from epoch %d; augmentation: %s; optimizer:"
                        + " %s%n",
                width,
                train.size(),
                test.size(),
                epochs,
                batchSize,
                seed,
                ExampleData.describe(epsilon),
                epochs / 2 + 1,
                AUGMENTATION.describe(),
                atAwp.optimizer().describe());
        System.out.print(ExampleRun.table(reports));
        System.out.println(ExampleRun.times(reports));
        return reports;
    }

    private static ImageDataset subset(ImageDataset data, int size, long seed) {
        return size < data.size() ? data.subset(size, seed) : data;
    }

    private static String usage() {
        return String.join(
                System.lineSeparator(),
                "FashionMnistExample: PGD-AT vs AT-AWP on Fashion-MNIST (1×28×28), L∞ ε = 0.1.",
                "  --data-dir DIR   the four IDX files, raw or .gz (required; Debian's"
                        + " dataset-fashion-mnist: /usr/share/datasets/fashion-mnist)",
                "  --train-size N   training images, a seeded subset (default 2000)",
                "  --test-size N    test images, and the train subset of the gap (default 500)",
                "  --epochs N       epochs of each run (default 3)",
                "  --width N        SmallCnn width (default 16)",
                "  --batch-size N   batch size (default 32)",
                "  --seed N         the seed of subsets, initialization and attacks (default 0)",
                "  --epsilon E      L∞ budget, e.g. 0.1 or 8/255 (default 0.1); steps are ε/4",
                "  --quiet          no progress bars",
                "  --help           this text");
    }
}
