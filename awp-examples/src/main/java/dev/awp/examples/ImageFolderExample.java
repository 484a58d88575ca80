package dev.awp.examples;

import ai.djl.Model;
import ai.djl.basicdataset.cv.classification.ImageFolder;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.translate.TranslateException;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Recipes;
import dev.awp.training.Schedules;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Adversarial training on your own image files: writes a small folder of 64×64 PNG images, one
 * sub-folder per class ({@code circle}, {@code square}, {@code triangle}, each shape in a random
 * colour, size and place on a noisy background), loads it with DJL's {@link ImageFolder} and {@link
 * ToTensor} (CHW float32 in [0, 1]), and trains a {@link SmallCnn} with AT-AWP through {@link
 * ClassificationData#of(String, ai.djl.training.dataset.RandomAccessDataset, int)}. Point {@code
 * --folder} at a directory of yours laid out the same way ({@code train/<class>/*.png}, {@code
 * test/<class>/*.png}) and {@code --no-generate} to train on your images instead.
 *
 * <pre>
 * ./mvnw -q verify -Prun -pl awp-examples -am -DskipTests \
 *     -Dexample.main=dev.awp.examples.ImageFolderExample
 * </pre>
 *
 * Options: {@code --folder} (default a new temporary directory), {@code --no-generate}, {@code
 * --images-per-class} (training images per class, 100; a third as many test images), {@code
 * --epochs} (4), {@code --batch-size} (32), {@code --width} (the SmallCnn width, 8), {@code --seed}
 * (0), {@code --quiet}, {@code --help}.
 */
public final class ImageFolderExample {

    /** The classes, one sub-folder each. */
    public static final List<String> CLASSES = List.of("circle", "square", "triangle");

    /** The side of the generated images, pixels. */
    public static final int SIZE = 64;

    private static final Set<String> OPTIONS =
            Set.of("folder", "images-per-class", "epochs", "batch-size", "width", "seed");
    private static final Set<String> FLAGS = Set.of("no-generate", "quiet", "help");

    private ImageFolderExample() {}

    /**
     * Runs the example from the command line.
     *
     * @param args the options; see the class documentation
     */
    public static void main(String[] args) {
        ExampleRun.main(args, ImageFolderExample::runExample);
    }

    /**
     * Writes the images (unless {@code --no-generate}), trains and prints the last evaluation.
     *
     * @param args the options; see the class documentation
     * @return the training report; {@code null} with {@code --help}
     * @throws IllegalArgumentException if an option is invalid
     * @throws UncheckedIOException if the images cannot be written or read
     */
    public static TrainingReport runExample(String... args) {
        ExampleArgs options = ExampleArgs.parse(args, OPTIONS, FLAGS);
        if (options.has("help")) {
            System.out.println(
                    "ImageFolderExample: AT-AWP on a DJL ImageFolder of 64x64 PNG images. Options:"
                            + " --folder DIR, --no-generate, --images-per-class N (100),"
                            + " --epochs N (4), --batch-size N (32), --width N (8), --seed N (0), --quiet,"
                            + " --help");
            return null;
        }
        int perClass = options.integer("images-per-class", 100, 3);
        int epochs = options.integer("epochs", 4, 1);
        int batchSize = options.integer("batch-size", 32, 1);
        int width = options.integer("width", 8, 1);
        int seed = options.integer("seed", 0, 0);
        try {
            Path folder =
                    options.has("folder")
                            ? Path.of(options.string("folder", "."))
                            : Files.createTempDirectory("awp-image-folder");
            if (!options.has("no-generate")) {
                writeShapes(folder.resolve("train"), perClass, seed);
                writeShapes(folder.resolve("test"), Math.max(1, perClass / 3), seed + 1_000_003L);
                System.out.printf(
                        Locale.ROOT,
                        "Wrote %d training and %d test images per class under %s%n",
                        perClass,
                        Math.max(1, perClass / 3),
                        folder);
            }

            // tag::folder[]
            ImageFolder trainFolder =
                    ImageFolder.builder()
                            .setRepositoryPath(folder.resolve("train"))
                            .addTransform(new ToTensor()) // HWC uint8 -> CHW float32 in [0, 1]
                            // DJL's own loops sample; the adapter draws its seeded order itself
                            .setSampling(batchSize, true)
                            .build();
            trainFolder.prepare(); // lists the images; ClassificationData.of would do it too
            ClassificationData train =
                    ClassificationData.of("shapes", trainFolder, trainFolder.getSynset().size());
            // end::folder[]
            ImageFolder testFolder =
                    ImageFolder.builder()
                            .setRepositoryPath(folder.resolve("test"))
                            .addTransform(new ToTensor())
                            .setSampling(batchSize, false)
                            .build();
            ClassificationData test =
                    ClassificationData.of("shapes test", testFolder, train.numClasses());
            System.out.printf(
                    Locale.ROOT,
                    "Classes %s; inputs %s; %d training and %d test images%n",
                    trainFolder.getSynset(),
                    train.inputShape(),
                    train.size(),
                    test.size());

            // tag::train[]
            AdversarialTraining spec =
                    Recipes.atAwp()
                            // from the first epoch AWP held this small network at chance (34% of
                            // 3 classes after 4 epochs, measured): start it after half the run
                            .withWeightPerturbation(
                                    WeightPerturbation.of(0.01).withWarmupEpochs(epochs / 2))
                            .withAttack(Attacks.pgdTraining().withBatchNormMode(BatchNormMode.EVAL))
                            .withEpochs(epochs)
                            .withBatchSize(batchSize)
                            .withOptimizer(OptimizerSpec.sgd(0.05, 0.9, 5e-4))
                            .withSchedule(Schedules.constant())
                            .withEvaluation(
                                    EvaluationPlan.builder()
                                            .everyEpochs(1)
                                            .subsetSize(test.size())
                                            .trainSubsetSize(Math.min(test.size(), train.size()))
                                            .attack(Attacks.pgd(10))
                                            .build())
                            .withCheckpoints(CheckpointPolicy.none())
                            .withSeed(seed);
            TrainingReport report;
            try (Model model = Model.newInstance("shapes-cnn")) {
                model.setBlock(
                        SmallCnn.builder()
                                .setNumClasses(train.numClasses())
                                .optWidth(width)
                                .build());
                AdversarialTrainer.Builder trainer =
                        AdversarialTrainer.builder(spec)
                                .setTrainData(train)
                                .setValidationData(test);
                if (options.has("quiet")) {
                    trainer.optNoProgress(); // no progress bar, no summary lines
                }
                report = trainer.build().fit(model);
            }
            // end::train[]
            EpochMetrics last = report.epochs().get(report.epochs().size() - 1);
            System.out.printf(
                    Locale.ROOT,
                    "After %d epochs of AT-AWP: clean %.1f%%, PGD-10 robust %.1f%% (L∞ ε = 8/255)"
                            + " on %d test images%n",
                    epochs,
                    100 * last.cleanAccuracy().orElseThrow().value(),
                    100 * last.robustAccuracy().orElseThrow().value(),
                    test.size());
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TranslateException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@code perClass} PNG images of each class under {@code root/<class>/}.
     *
     * @param root the folder, created if needed
     * @param perClass the images per class, at least 1
     * @param seed the seed of colours, sizes, places and noise
     * @throws IOException if an image cannot be written
     */
    public static void writeShapes(Path root, int perClass, long seed) throws IOException {
        Random random = new Random(seed);
        for (String name : CLASSES) {
            Path dir = Files.createDirectories(root.resolve(name));
            for (int i = 0; i < perClass; i++) {
                BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        int grey = 96 + random.nextInt(64);
                        image.setRGB(x, y, new Color(grey, grey, grey).getRGB());
                    }
                }
                Graphics2D g = image.createGraphics();
                g.setRenderingHint(
                        RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setColor(Color.getHSBColor(random.nextFloat(), 0.8f, 0.9f));
                int side = 20 + random.nextInt(24);
                int left = random.nextInt(SIZE - side);
                int top = random.nextInt(SIZE - side);
                switch (name) {
                    case "circle" -> g.fillOval(left, top, side, side);
                    case "square" -> g.fillRect(left, top, side, side);
                    default ->
                            g.fillPolygon(
                                    new int[] {left, left + side / 2, left + side},
                                    new int[] {top + side, top, top + side},
                                    3);
                }
                g.dispose();
                ImageIO.write(image, "png", dir.resolve(name + "-" + i + ".png").toFile());
            }
        }
    }
}
