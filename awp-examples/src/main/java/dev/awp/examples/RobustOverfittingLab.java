package dev.awp.examples;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import com.google.gson.GsonBuilder;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.diagnostics.LandscapeResult;
import dev.awp.djl.diagnostics.PerturbationComparison;
import dev.awp.djl.diagnostics.Plots;
import dev.awp.djl.diagnostics.WeightLandscape;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Recipes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The robust-overfitting lab: reproduces the AWP paper's qualitative claims at the scale of a
 * laptop. PGD-AT and AT-AWP train the same architecture with the same seed, data and budget, long
 * enough — on a deliberately small training set, with the reference schedule's learning-rate decays
 * at 50 % and 75 % of the run — for plain AT to overfit robustly. For several seeds it records the
 * test and train robust accuracy over epochs, the weight loss landscape of the final models, and a
 * random-versus-adversarial weight perturbation, then writes {@code report.md}, {@code lab.json}
 * and PNG/SVG plots.
 *
 * <p>Defaults: SyntheticShapes, 2,000 training and 300 test images, SmallCnn, 15 epochs, batch 32,
 * SGD 0.05 (piecewise ×0.1 at 50 % and ×0.01 at 75 %), momentum 0.9, weight decay 5e-4, PGD-10
 * training attack (L∞ 8/255) with BatchNorm in inference mode, PGD-20 evaluation every 3 epochs (on
 * the 300 test images and on 300 training images), 3 seeds; AT-AWP with γ = 0.01, off for the first
 * half of the run ({@code --warmup}, default {@code epochs / 2}), so that it acts from the first
 * learning-rate decay on, where plain AT starts to overfit. Two measured reasons for these choices,
 * both reproduced in PyTorch by {@code src/main/python/bn_mode_check.py}: with BatchNorm in
 * training mode during the attack (the reference's choice) this small network stays at chance (loss
 * ln 10) on this data, and AWP from the first epoch keeps it there too. Pass {@code --data-dir}
 * with the CIFAR-10 binary folder to run on CIFAR-10 instead.
 *
 * <p>Whatever the numbers show is reported as measured; nothing is selected after the fact.
 */
public final class RobustOverfittingLab {

    private RobustOverfittingLab() {}

    /** One training run and its diagnostics. */
    record Run(
            String method,
            long seed,
            List<EpochMetrics> epochs,
            double bestRobust,
            int bestEpoch,
            double lastRobust,
            double lastClean,
            double lastGap,
            LandscapeResult landscape,
            PerturbationComparison comparison,
            double seconds) {}

    /**
     * Runs the lab.
     *
     * @param args {@code --seeds N} (3), {@code --train N} (2000), {@code --test N} (300), {@code
     *     --epochs N} (15), {@code --eval-every N} (3, at most the epochs), {@code --landscape-points N} (11), {@code
     *     --width N} (SmallCnn width, 16), {@code --batch N} (32), {@code --lr X} (0.05), {@code
     *     --attack-bn eval|train} (eval), {@code --gamma X} (AT-AWP's γ, 0.01), {@code --warmup N}
     *     (epochs without AWP, epochs / 2), {@code --dataset synthetic|fashion-mnist|cifar10|mnist|
     *     kmnist} (synthetic; {@code fashion-mnist} without {@code --data-dir} is the embedded
     *     subset), {@code --data-dir DIR} (the dataset's folder; alone, CIFAR-10), {@code --epsilon
     *     X} (the L∞ budget of every attack, steps scaled with it; 8/255, 0.1 for the MNIST
     *     family), {@code --output DIR} ({@code target/lab})
     * @return the path of the written report
     * @throws IOException if the data or the report cannot be read or written
     */
    public static Path runExample(String... args) throws IOException {
        ExampleArgs options =
                ExampleArgs.parse(
                        args,
                        Set.of(
                                "seeds",
                                "train",
                                "test",
                                "epochs",
                                "eval-every",
                                "landscape-points",
                                "width",
                                "batch",
                                "lr",
                                "attack-bn",
                                "gamma",
                                "warmup",
                                "data-dir",
                                "dataset",
                                "epsilon",
                                "output"),
                        Set.of());
        int seeds = options.integer("seeds", 3, 1);
        String command = String.join(" ", args);
        int trainSize = options.integer("train", 2000, 1);
        int testSize = options.integer("test", 300, 1);
        int epochs = options.integer("epochs", 15, 1);
        int evalEvery = options.integer("eval-every", Math.min(3, epochs), 1);
        int landscapePoints = options.integer("landscape-points", 11, 1);
        int width = options.integer("width", 16, 1);
        int batchSize = options.integer("batch", 32, 1);
        double learningRate = Double.parseDouble(options.string("lr", "0.05"));
        BatchNormMode attackBn =
                BatchNormMode.valueOf(options.string("attack-bn", "eval").toUpperCase(Locale.ROOT));
        double gamma = Double.parseDouble(options.string("gamma", "0.01"));
        int warmup = options.integer("warmup", epochs / 2, 0);
        Path output = Path.of(options.string("output", "target/lab"));
        Files.createDirectories(output);

        // --data-dir alone keeps meaning CIFAR-10, as before --dataset existed
        ExampleData dataset =
                ExampleData.parse(
                        options,
                        options.has("data-dir") ? ExampleData.CIFAR10 : ExampleData.SYNTHETIC);
        ExampleData.Splits splits = dataset.read(options, trainSize, testSize, 0);
        ImageDataset train = splits.train(trainSize, 0);
        ImageDataset test = splits.test(testSize, 0);
        double epsilon = options.positive("epsilon", dataset.defaultEpsilon);
        String dataName = splits.title() + ", L∞ ε = " + ExampleData.describe(epsilon);

        List<Run> runs = new ArrayList<>();
        for (int seed = 0; seed < seeds; seed++) {
            for (boolean awp : new boolean[] {false, true}) {
                runs.add(
                        run(
                                awp,
                                seed,
                                train,
                                test,
                                epochs,
                                evalEvery,
                                landscapePoints,
                                width,
                                batchSize,
                                learningRate,
                                attackBn,
                                epsilon,
                                WeightPerturbation.of(gamma).withWarmupEpochs(warmup),
                                output));
            }
        }
        Path report =
                write(
                        output,
                        runs,
                        dataName,
                        trainSize,
                        testSize,
                        epochs,
                        evalEvery,
                        batchSize,
                        learningRate,
                        attackBn,
                        gamma,
                        warmup,
                        command);
        System.out.println(Files.readString(report));
        return report;
    }

    /**
     * Runs the lab from the command line.
     *
     * @param args see {@link #runExample}
     * @throws IOException if the data or the report cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        runExample(args);
    }

    private static Run run(
            boolean awp,
            long seed,
            ImageDataset train,
            ImageDataset test,
            int epochs,
            int evalEvery,
            int landscapePoints,
            int width,
            int batchSize,
            double learningRate,
            BatchNormMode attackBn,
            double epsilon,
            WeightPerturbation perturbation,
            Path output)
            throws IOException {
        String method = awp ? "AT-AWP" : "PGD-AT";
        AdversarialTraining spec =
                AdversarialTraining.builder()
                        .from(Recipes.atAwp())
                        .weightPerturbation(awp ? perturbation : WeightPerturbation.none())
                        .epochs(epochs)
                        .batchSize(batchSize)
                        .optimizer(OptimizerSpec.sgd(learningRate, 0.9, 5e-4))
                        .attack(Attacks.pgdTraining().withBatchNormMode(attackBn))
                        .seed(seed)
                        .evaluation(
                                EvaluationPlan.builder()
                                        .everyEpochs(evalEvery)
                                        .subsetSize(test.size())
                                        .trainSubsetSize(Math.min(train.size(), test.size()))
                                        .subsetSeed(seed)
                                        .attack(Attacks.pgd20())
                                        .build())
                        .checkpoints(CheckpointPolicy.none())
                        .build();
        spec = ExampleData.withEpsilon(spec, epsilon);
        System.out.printf(
                Locale.ROOT,
                "== %s, seed %d: %d epochs on %d images%n",
                method,
                seed,
                epochs,
                train.size());
        long start = System.nanoTime();
        try (Model model = Model.newInstance(method)) {
            model.setBlock(
                    SmallCnn.builder().setNumClasses(train.numClasses()).optWidth(width).build());
            TrainingReport report =
                    AdversarialTrainer.builder(spec)
                            .setTrainData(train)
                            .setValidationData(test)
                            .optOutputDirectory(
                                    output.resolve("runs").resolve(method + "-seed" + seed))
                            .build()
                            .fit(model);
            double seconds = (System.nanoTime() - start) / 1e9;
            List<EpochMetrics> history = report.epochs();
            EpochMetrics last = history.get(history.size() - 1);
            double bestRobust = -1;
            int bestEpoch = -1;
            for (EpochMetrics m : history) {
                if (m.robustAccuracy().isPresent()
                        && m.robustAccuracy().get().value() > bestRobust) {
                    bestRobust = m.robustAccuracy().get().value();
                    bestEpoch = m.epoch();
                }
            }
            ImageDataset probe = test.subset(Math.min(200, test.size()), seed);
            LandscapeResult landscape =
                    WeightLandscape.builder()
                            .attack(ExampleData.scaled(Attacks.pgd(5), epsilon))
                            .alphas(-1, 1, landscapePoints)
                            .seed(seed)
                            .build()
                            .compute(method, model.getBlock(), probe);
            PerturbationComparison comparison = compare(model, probe, seed, epsilon);
            return new Run(
                    method,
                    seed,
                    history,
                    bestRobust,
                    bestEpoch,
                    last.robustAccuracy().map(Accuracy::value).orElse(Double.NaN),
                    last.cleanAccuracy().map(Accuracy::value).orElse(Double.NaN),
                    last.robustGap().orElse(Double.NaN),
                    landscape,
                    comparison,
                    seconds);
        }
    }

    /** Random vs adversarial weight perturbation (γ = 0.01) on one batch of the probe set. */
    private static PerturbationComparison compare(
            Model model, ImageDataset probe, long seed, double epsilon) {
        try (Trainer trainer =
                        model.newTrainer(
                                new ai.djl.training.DefaultTrainingConfig(
                                        ai.djl.training.loss.Loss.softmaxCrossEntropyLoss()));
                NDManager manager = trainer.getManager().newSubManager();
                Batch batch = probe.batch(manager, IntStream.range(0, probe.size()).toArray())) {
            return PerturbationComparison.measure(
                    trainer,
                    Objectives.pgdAt(),
                    ExampleData.scaled(Attacks.pgd(5), epsilon),
                    batch.getData().head(),
                    batch.getLabels().head(),
                    0.01,
                    5,
                    seed);
        }
    }

    private static Path write(
            Path output,
            List<Run> runs,
            String dataName,
            int trainSize,
            int testSize,
            int epochs,
            int evalEvery,
            int batchSize,
            double learningRate,
            BatchNormMode attackBn,
            double gamma,
            int warmup,
            String command)
            throws IOException {
        Map<String, List<Run>> byMethod = new LinkedHashMap<>();
        for (Run run : runs) {
            byMethod.computeIfAbsent(run.method(), k -> new ArrayList<>()).add(run);
        }
        StringBuilder md = new StringBuilder();
        md.append("# Robust-overfitting lab\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Arguments: `%s`.%n%nData: %s, %d training and %d test images. Model: SmallCnn. %d"
                                + " epochs, batch %d, SGD lr %s with the reference piecewise schedule (×0.1"
                                + " at 50 %%, ×0.01 at 75 %%), momentum 0.9, wd 5e-4. Training attack PGD-10"
                                + " (step ε/4), BatchNorm in %s mode during the attack. Test robust accuracy:"
                                + " PGD-20 on the %d test images every %d epochs; train robust accuracy on"
                                + " %d training images at the unperturbed weights. AT-AWP: γ = %s, AWP off"
                                + " for the first %d epochs. Seeds: %d. Machine: %d cores (%s), Java"
                                + " %s.%n%n",
                        command,
                        dataName,
                        trainSize,
                        testSize,
                        epochs,
                        batchSize,
                        learningRate,
                        attackBn == BatchNormMode.TRAIN ? "training" : "inference",
                        testSize,
                        evalEvery,
                        Math.min(trainSize, testSize),
                        gamma,
                        warmup,
                        runs.size() / 2,
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("os.arch"),
                        System.getProperty("java.version")));
        md.append("## Mean ± standard deviation over seeds\n\n");
        md.append(
                "| method | best test robust | last test robust | best − last | last test clean |"
                        + " final train−test robust gap | landscape sharpness | random Δloss |"
                        + " adversarial Δloss | minutes per run |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        byMethod.forEach(
                (method, list) ->
                        md.append(
                                String.format(
                                        Locale.ROOT,
                                        "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f |%n",
                                        method,
                                        pct(list, Run::bestRobust),
                                        pct(list, Run::lastRobust),
                                        pct(list, r -> r.bestRobust() - r.lastRobust()),
                                        pct(list, Run::lastClean),
                                        pct(list, Run::lastGap),
                                        num(list, r -> r.landscape().sharpness()),
                                        num(list, r -> r.comparison().randomIncrease()),
                                        num(list, r -> r.comparison().adversarialIncrease()),
                                        stats(list, Run::seconds)[0] / 60)));
        md.append(
                "\n## Per run\n\n| method | seed | best test robust (epoch) | last test robust |"
                        + " last gap |\n|---|---|---|---|---|\n");
        for (Run run : runs) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %.1f %% (%d) | %.1f %% | %.1f pts |%n",
                            run.method(),
                            run.seed(),
                            100 * run.bestRobust(),
                            run.bestEpoch(),
                            100 * run.lastRobust(),
                            100 * run.lastGap()));
        }
        md.append(
                "\nLandscape sharpness: mean adversarial loss at α = ±1 minus the loss at α = 0 along"
                        + " a filter-normalized Gaussian direction (PGD-5 regenerated at every α, 200"
                        + " test images). Random/adversarial Δloss: training-mode loss increase of a"
                        + " random and of AWP's weight perturbation, both with ‖v_l‖ = 0.01‖w_l‖.\n\n");
        md.append(
                "![training curves, seed 0](curves.png)\n\n![weight loss landscape, seed 0](landscape.png)\n");

        Map<String, List<EpochMetrics>> curves = new LinkedHashMap<>();
        List<LandscapeResult> landscapes = new ArrayList<>();
        for (Run run : runs) {
            if (run.seed() == 0) {
                curves.put(run.method(), run.epochs());
                landscapes.add(run.landscape());
            }
        }
        Plots.trainingCurves(output.resolve("curves"), curves);
        Plots.landscape(output.resolve("landscape"), landscapes);

        List<Map<String, Object>> json = new ArrayList<>();
        for (Run run : runs) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("method", run.method());
            entry.put("seed", run.seed());
            entry.put("bestTestRobust", run.bestRobust());
            entry.put("bestEpoch", run.bestEpoch());
            entry.put("lastTestRobust", run.lastRobust());
            entry.put("lastTestClean", run.lastClean());
            entry.put("lastGap", run.lastGap());
            entry.put("landscapeAlphas", run.landscape().alphas());
            entry.put("landscapeAdversarialLoss", run.landscape().adversarialLoss());
            entry.put("landscapeCleanLoss", run.landscape().cleanLoss());
            entry.put("randomIncrease", run.comparison().randomIncrease());
            entry.put("adversarialIncrease", run.comparison().adversarialIncrease());
            entry.put("seconds", run.seconds());
            List<Map<String, Object>> history = new ArrayList<>();
            for (EpochMetrics m : run.epochs()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("epoch", m.epoch());
                e.put("learningRate", m.learningRate());
                e.put("trainLoss", m.trainLoss());
                m.robustAccuracy().ifPresent(a -> e.put("testRobust", a.value()));
                m.cleanAccuracy().ifPresent(a -> e.put("testClean", a.value()));
                m.trainRobustAccuracy().ifPresent(a -> e.put("trainRobust", a.value()));
                history.add(e);
            }
            entry.put("epochs", history);
            json.add(entry);
        }
        Files.writeString(
                output.resolve("lab.json"),
                new GsonBuilder()
                        .setPrettyPrinting()
                        .serializeSpecialFloatingPointValues()
                        .create()
                        .toJson(json));
        Path report = output.resolve("report.md");
        Files.writeString(report, md.toString());
        return report;
    }

    private static double[] stats(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        double[] values = runs.stream().mapToDouble(f).toArray();
        double mean = java.util.Arrays.stream(values).average().orElse(Double.NaN);
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        double sd = values.length > 1 ? Math.sqrt(var / (values.length - 1)) : 0;
        return new double[] {mean, sd};
    }

    private static String pct(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        double[] s = stats(runs, f);
        return String.format(Locale.ROOT, "%.1f ± %.1f %%", 100 * s[0], 100 * s[1]);
    }

    private static String num(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        double[] s = stats(runs, f);
        return String.format(Locale.ROOT, "%.3f ± %.3f", s[0], s[1]);
    }
}
