package dev.awp.examples.lab;

import dev.awp.attack.BatchNormMode;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.examples.ExampleArgs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The lab's settings, from its command line ({@link RobustOverfittingLab#runExample}). */
record LabSettings(
        int seeds,
        int trainSize,
        int testSize,
        int trainEvalSize,
        int epochs,
        int evalEvery,
        int landscapePoints,
        String model,
        int width,
        int batchSize,
        double learningRate,
        double decayAt,
        BatchNormMode attackBn,
        double gamma,
        List<Double> gammas,
        int warmup,
        double epsilon,
        Augmentation augmentation,
        Set<String> parts) {
    static final int DEFAULT_TRAIN = 400;
    static final int DEFAULT_TEST = 1000;
    static final int DEFAULT_WIDTH = 16;
    static final int DEFAULT_EPOCHS = 100;
    static final int DEFAULT_EVAL_EVERY = 10;
    static final int DEFAULT_WARMUP = 10;
    static final String DEFAULT_PARTS = "at";

    private static final List<Double> DEFAULT_GAMMAS = List.of(0.0, 0.0025, 0.005, 0.01, 0.02);

    /** The options that take a value, without {@code --}. */
    static final Set<String> OPTIONS =
            Set.of(
                    "seeds",
                    "train",
                    "test",
                    "train-eval",
                    "epochs",
                    "eval-every",
                    "landscape-points",
                    "model",
                    "width",
                    "batch",
                    "lr",
                    "decay-at",
                    "attack-bn",
                    "gamma",
                    "gammas",
                    "warmup",
                    "parts",
                    "data-dir",
                    "dataset",
                    "epsilon",
                    "augmentation",
                    "threads",
                    "jobs",
                    "task",
                    "output");

    /** The lab's command line: {@link #OPTIONS} and the {@code --quick} switch. */
    static ExampleArgs parse(String[] args) {
        return ExampleArgs.parse(args, OPTIONS, Set.of("quick"));
    }

    /**
     * The settings from the options, for the data read ({@code train}, {@code test}), {@code
     * epochs} already read and checked, and the attacks' budget.
     *
     * @throws IllegalArgumentException if an option is invalid; the message names it
     */
    static LabSettings of(
            ExampleArgs options,
            ImageDataset train,
            ImageDataset test,
            int epochs,
            double epsilon) {
        boolean quick = options.has("quick");

        String model = options.string("model", "flat-cnn");
        if (!model.equals("flat-cnn") && !model.equals("small-cnn")) {
            throw new IllegalArgumentException(
                    "--model must be flat-cnn or small-cnn but was " + model);
        }
        double decayAt = options.positive("decay-at", 0.5);
        if (decayAt >= 1) {
            throw new IllegalArgumentException("--decay-at must be in (0, 1) but was " + decayAt);
        }
        Set<String> parts = Set.of(options.string("parts", DEFAULT_PARTS).split(","));
        for (String part : parts) {
            if (!Set.of("at", "cheap", "sweep", "trades", "mart").contains(part)) {
                throw new IllegalArgumentException(
                        "--parts takes at, cheap, sweep, trades and mart but was given " + part);
            }
        }
        LabSettings settings =
                new LabSettings(
                        options.integer("seeds", quick ? 1 : 3, 1),
                        train.size(),
                        test.size(),
                        Math.min(train.size(), options.integer("train-eval", 500, 1)),
                        epochs,
                        options.integer(
                                "eval-every", Math.min(quick ? 1 : DEFAULT_EVAL_EVERY, epochs), 1),
                        options.integer("landscape-points", quick ? 3 : 9, 1),
                        model,
                        options.integer("width", quick ? 4 : DEFAULT_WIDTH, 1),
                        options.integer("batch", quick ? 16 : 32, 1),
                        options.positive("lr", 0.05),
                        decayAt,
                        BatchNormMode.valueOf(
                                options.string("attack-bn", "eval").toUpperCase(Locale.ROOT)),
                        options.positive("gamma", 0.01),
                        gammas(options.string("gammas", null)),
                        options.integer("warmup", Math.min(DEFAULT_WARMUP, epochs / 2), 0),
                        epsilon,
                        augmentation(options.string("augmentation", "none")),
                        parts);
        return settings;
    }

    /** The training augmentation by name: none (the default), reflect or zero pad-crop-flip. */
    static Augmentation augmentation(String name) {
        switch (name) {
            case "none":
                return Augmentation.none();
            case "reflect":
                return Augmentation.reflectPadCropFlip();
            case "zero":
                return Augmentation.zeroPadCropFlip();
            default:
                throw new IllegalArgumentException(
                        "--augmentation must be none, reflect or zero but was " + name);
        }
    }

    private static List<Double> gammas(String text) {
        if (text == null) {
            return DEFAULT_GAMMAS;
        }
        List<Double> values = new ArrayList<>();
        for (String part : text.split(",")) {
            double gamma = Double.parseDouble(part.trim());
            if (!(gamma >= 0) || Double.isInfinite(gamma)) {
                throw new IllegalArgumentException(
                        "--gammas must be finite and >= 0 but contained " + part);
            }
            values.add(gamma);
        }
        return List.copyOf(values);
    }
}
