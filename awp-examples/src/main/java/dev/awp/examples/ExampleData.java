package dev.awp.examples;

import dev.awp.attack.Attack;
import dev.awp.attack.PgdAttack;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.CifarReader;
import dev.awp.djl.data.IdxReader;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.training.AdversarialTraining;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The datasets the examples train on, chosen with {@code --dataset} and read from {@code
 * --data-dir}: the embedded SyntheticShapes and CIFAR-10 (3×32×32, L∞ ε = 8/255), and the MNIST
 * family (1×28×28, L∞ ε = 0.1, the usual budget for Fashion-MNIST). Fashion-MNIST without {@code
 * --data-dir} is the {@link EmbeddedFashionMnist} subset.
 */
public enum ExampleData {
    /** The embedded {@link SyntheticShapes}: generated, no folder. */
    SYNTHETIC("synthetic", "SyntheticShapes", 8 / 255.0),
    /** CIFAR-10, binary version. */
    CIFAR10("cifar10", "CIFAR-10", 8 / 255.0),
    /** Fashion-MNIST, IDX files; the embedded subset without {@code --data-dir}. */
    FASHION_MNIST("fashion-mnist", "Fashion-MNIST", 0.1),
    /** MNIST, IDX files. */
    MNIST("mnist", "MNIST", 0.1),
    /** Kuzushiji-MNIST, IDX files. */
    KMNIST("kmnist", "KMNIST", 0.1);

    /** The help line of {@code --dataset}. */
    static final String HELP =
            "synthetic, cifar10, fashion-mnist, mnist, kmnist (the last three are 1×28×28:"
                    + " default ε = 0.1 instead of 8/255)";

    /** The help line of {@code --data-dir}. */
    static final String DATA_DIR_HELP =
            "cifar10: cifar-10-batches-bin or its parent; MNIST family: the folder of the four"
                    + " IDX files, raw or .gz (Debian's dataset-fashion-mnist installs"
                    + " /usr/share/datasets/fashion-mnist); without it, fashion-mnist is the"
                    + " embedded subset of 10,000 training and 2,000 test images";

    final String option;
    final String title;

    /** The usual L∞ budget for these images: 8/255, or 0.1 for the MNIST family. */
    public final double defaultEpsilon;

    ExampleData(String option, String title, double defaultEpsilon) {
        this.option = option;
        this.title = title;
        this.defaultEpsilon = defaultEpsilon;
    }

    /**
     * The training and test splits.
     *
     * @param train the training split
     * @param test the test split
     * @param title the data, for reports, e.g. {@code "Fashion-MNIST (embedded subset)"}
     * @param stratifiedPrefixes whether the first 10·k images of each split hold k of each class
     *     (the embedded subset), so that a prefix is the subset to take
     */
    public record Splits(
            ImageDataset train, ImageDataset test, String title, boolean stratifiedPrefixes) {

        /**
         * {@code size} training images: all of them if there are no more, else the first {@code
         * size} if {@link #stratifiedPrefixes}, else a subset drawn with {@code seed}.
         *
         * @param size the number of images
         * @param seed the seed of the subset
         * @return the images
         */
        public ImageDataset train(int size, long seed) {
            return cut(train, size, seed);
        }

        /**
         * {@code size} test images, chosen as by {@link #train(int, long)}.
         *
         * @param size the number of images
         * @param seed the seed of the subset
         * @return the images
         */
        public ImageDataset test(int size, long seed) {
            return cut(test, size, seed);
        }

        private ImageDataset cut(ImageDataset data, int size, long seed) {
            if (size >= data.size()) {
                return data;
            }
            return stratifiedPrefixes
                    ? EmbeddedFashionMnist.prefix(data, size)
                    : data.subset(size, seed);
        }
    }

    /**
     * The value of {@code --dataset}, or {@code defaultValue}.
     *
     * @param options the command line
     * @param defaultValue the dataset without {@code --dataset}
     * @return the dataset
     * @throws IllegalArgumentException if the value names no dataset
     */
    public static ExampleData parse(ExampleArgs options, ExampleData defaultValue) {
        String value = options.string("dataset", defaultValue.option);
        List<String> names = new ArrayList<>();
        for (ExampleData data : values()) {
            if (data.option.equals(value)) {
                return data;
            }
            names.add(data.option);
        }
        throw new IllegalArgumentException(
                "--dataset must be one of " + names + " but was " + value);
    }

    /** Whether the images are the MNIST family's 1×28×28 grey levels. */
    boolean mnistFamily() {
        return this == FASHION_MNIST || this == MNIST || this == KMNIST;
    }

    /** Whether the data come from {@code --data-dir}: all but the embedded ones. */
    boolean needsFolder(ExampleArgs options) {
        return this != SYNTHETIC && (this != FASHION_MNIST || options.has("data-dir"));
    }

    /**
     * The training augmentation: the recipe's pad-crop-flip, except for digits and characters
     * (MNIST, KMNIST), which a horizontal flip turns into other symbols: none for them.
     */
    Augmentation augmentation(Augmentation recipe) {
        return this == MNIST || this == KMNIST ? Augmentation.none() : recipe;
    }

    /**
     * Reads the splits from {@code --data-dir}, or generates them for {@link #SYNTHETIC}, or reads
     * the embedded subset for {@link #FASHION_MNIST} without {@code --data-dir}.
     *
     * @param options the command line, for {@code --data-dir}
     * @param syntheticTrain the training images to generate for {@link #SYNTHETIC}
     * @param syntheticTest the test images to generate for {@link #SYNTHETIC}
     * @param seed the seed of the generated images
     * @return the splits
     * @throws IllegalArgumentException if the folder is missing, incomplete or malformed; the
     *     message names the file and what is wrong
     */
    public Splits read(ExampleArgs options, int syntheticTrain, int syntheticTest, long seed) {
        if (this == SYNTHETIC) {
            return new Splits(
                    SyntheticShapes.train(syntheticTrain, seed),
                    SyntheticShapes.test(syntheticTest, seed),
                    title,
                    false);
        }
        if (!needsFolder(options)) {
            return new Splits(
                    EmbeddedFashionMnist.train(EmbeddedFashionMnist.TRAIN_SIZE),
                    EmbeddedFashionMnist.test(EmbeddedFashionMnist.TEST_SIZE),
                    title + " (embedded subset)",
                    true);
        }
        if (!options.has("data-dir")) {
            throw new IllegalArgumentException(
                    "--data-dir must name the "
                            + title
                            + " folder with --dataset "
                            + option
                            + (this == CIFAR10
                                    ? " (cifar-10-batches-bin or its parent); download"
                                            + " cifar-10-binary.tar.gz from"
                                            + " https://www.cs.toronto.edu/~kriz/cifar.html and"
                                            + " unpack it"
                                    : " (the folder of train-images-idx3-ubyte,"
                                            + " train-labels-idx1-ubyte, t10k-images-idx3-ubyte and"
                                            + " t10k-labels-idx1-ubyte, raw or .gz)"));
        }
        Path dataDir = Path.of(options.string("data-dir", "."));
        if (!Files.isDirectory(dataDir)) {
            throw new IllegalArgumentException(
                    "--data-dir must be an existing folder but was "
                            + dataDir.toAbsolutePath()
                            + (this == CIFAR10
                                    ? "; unpack cifar-10-binary.tar.gz there"
                                    : "; put the " + title + " IDX files there"));
        }
        try {
            switch (this) {
                case CIFAR10:
                    return new Splits(
                            CifarReader.cifar10Train(dataDir),
                            CifarReader.cifar10Test(dataDir),
                            title,
                            false);
                case FASHION_MNIST:
                    return splits(IdxReader.fashionMnist(dataDir));
                case MNIST:
                    return splits(IdxReader.mnist(dataDir));
                default:
                    return splits(IdxReader.kmnist(dataDir));
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(
                    "the "
                            + title
                            + " folder "
                            + dataDir
                            + " is incomplete: "
                            + (e.getReason() != null ? e.getReason() : "missing " + e.getFile()),
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read " + title + " from " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private Splits splits(IdxReader.Splits splits) {
        return new Splits(splits.train(), splits.test(), title, false);
    }

    /**
     * The specification with L∞ budget {@code epsilon} for its training and evaluation attacks,
     * their step sizes scaled in proportion (so 2/255 for 8/255 becomes 0.025 for 0.1); the same
     * specification when the budget is already {@code epsilon}.
     *
     * @param spec the specification
     * @param epsilon the L∞ budget
     * @return the specification with that budget
     * @throws IllegalArgumentException if an attack is not PGD, whose step size this can scale
     */
    public static AdversarialTraining withEpsilon(AdversarialTraining spec, double epsilon) {
        if (spec.attack().threatModel().epsilon() == epsilon
                && spec.evaluation().attack().threatModel().epsilon() == epsilon) {
            return spec;
        }
        return AdversarialTraining.builder()
                .from(spec)
                .attack(scaled(spec.attack(), epsilon))
                .evaluation(
                        spec.evaluation().withAttack(scaled(spec.evaluation().attack(), epsilon)))
                .build();
    }

    /**
     * A PGD attack with L∞ budget {@code epsilon}, its step size scaled in proportion.
     *
     * @param attack a PGD attack
     * @param epsilon the L∞ budget
     * @return the attack with that budget
     * @throws IllegalArgumentException if the attack is not PGD
     */
    public static PgdAttack scaled(Attack attack, double epsilon) {
        if (!(attack instanceof PgdAttack)) {
            throw new IllegalArgumentException(
                    "attack must be a PGD attack to change its ε but was " + attack);
        }
        PgdAttack pgd = (PgdAttack) attack;
        double ratio = epsilon / pgd.threatModel().epsilon();
        return pgd.withThreatModel(pgd.threatModel().withEpsilon(epsilon))
                .withStepSize(pgd.stepSize() * ratio);
    }

    /**
     * ε for reports: {@code 8/255} when it is a whole number of 255ths, else the decimal.
     *
     * @param epsilon the L∞ budget
     * @return the budget as text
     */
    public static String describe(double epsilon) {
        double levels = epsilon * 255;
        if (Math.abs(levels - Math.rint(levels)) < 1e-9) {
            return String.format(Locale.ROOT, "%d/255", Math.round(levels));
        }
        // six significant digits: a scaled step such as 0.05000000000000001 reads 0.05
        return new BigDecimal(epsilon)
                .round(new MathContext(6))
                .stripTrailingZeros()
                .toPlainString();
    }
}
