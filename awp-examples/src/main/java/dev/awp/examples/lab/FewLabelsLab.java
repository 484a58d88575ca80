package dev.awp.examples.lab;

import ai.djl.Model;
import ai.djl.nn.Block;
import dev.awp.attack.Attacks;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.PseudoLabels;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.examples.ExampleArgs;
import dev.awp.examples.ExampleData;
import dev.awp.examples.PyTorchThreads;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.Accuracy;
import dev.awp.report.RobustnessReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.AveragingKind;
import dev.awp.training.BatchNormForwards;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.ExtraSource;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Recipes;
import dev.awp.training.Schedules;
import dev.awp.training.WeightAveraging;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The few-labels demonstration of robust self-training with AWP: on the embedded Fashion-MNIST,
 * with {@code --labelled} labelled training images and the rest of the embedded training images as
 * the unlabelled pool, does RST-AWP (TRADES-AWP on labelled + pseudo-labelled batches) beat
 * TRADES-AWP on the labelled images alone, and does an EMA of the weights add to either?
 *
 * <p>Per seed: a standard classifier (TRADES with β = 0, i.e. cross-entropy on clean images, no
 * AWP) is trained on the labelled images and pseudo-labels the pool ({@link PseudoLabels}, their
 * accuracy against the pool's true labels reported); then TRADES-AWP and RST-AWP train with an EMA
 * of the weights. Averaging does not change the raw trajectory (a tested property), so each run
 * gives two models, the raw weights and the EMA, all four evaluated on the same test images (clean
 * and PGD-20), on the same labelled training images (PGD-20; the robust gap is train − test), and
 * on the first {@code --aa-test} test images with the first two attacks of AutoAttack's standard
 * cascade, APGD-CE then APGD-T (9 targets), each on the examples still robust (FAB-T and Square are
 * not run: for time). Both methods take the same steps with the same labelled examples per step:
 * RST-AWP's batches add as many pseudo-labelled images (fraction 0.5), as RST does, whose losses
 * have weight {@code --pseudo-weight} (1: RST's plain batch mean).
 *
 * <p>Rules, fixed before the run and printed with it: over the seeds, a claim holds when the
 * Student-t 95 % interval of the mean paired difference in test PGD-20 accuracy lies above 0: (1)
 * RST-AWP − TRADES-AWP, raw weights; (2) EMA − raw, for TRADES-AWP and for RST-AWP. The APGD-CE +
 * APGD-T accuracy is reported beside it (and its paired differences), a tighter upper bound on
 * robust accuracy than PGD-20.
 *
 * <p>Defaults: the plan. 1,000 labelled images (100 per class), the other 9,000 embedded
 * training images as the pool, 500 test images (200 for APGD), L∞ ε = 0.1, the lab's flat CNN
 * (width 16, no BatchNorm), 10 epochs (the classifier too), 32 labelled images per batch, SGD 0.05
 * / 0.9 / 5e-4 with the piecewise reference schedule, TRADES β = 6 with its attack scaled to ε, AWP
 * γ = 0.005 from epoch 5 (0-based), EMA decay 0.99, 3 seeds, 2 PyTorch threads: 13.6 minutes on
 * this project's 2-core machine (its report is {@code site/results/few-labels/report.md}). {@code
 * --quick} is a smoke run of seconds.
 */
public final class FewLabelsLab {

    private static final Set<String> OPTIONS =
            Set.of(
                    "seeds",
                    "labelled",
                    "pool",
                    "test",
                    "epochs",
                    "classifier-epochs",
                    "batch",
                    "width",
                    "epsilon",
                    "gamma",
                    "warmup",
                    "ema-decay",
                    "pseudo-weight",
                    "aa-test",
                    "threads",
                    "output");

    /** The name of the pseudo-labelled source in RST-AWP's specification. */
    static final String PSEUDO_LABELLED = "pseudo-labelled";

    private FewLabelsLab() {}

    /**
     * One model's numbers: test clean, test PGD-20, train PGD-20, and the APGD-CE + APGD-T accuracy
     * on the first {@code --aa-test} test images.
     */
    record Result(
            String method,
            long seed,
            double clean,
            double robust,
            double trainRobust,
            double autoAttack) {}

    /**
     * Runs the demonstration and writes {@code report.md} to {@code --output} (default {@code
     * target/few-labels}).
     *
     * @param args the options above, {@code --quick}
     */
    public static void main(String[] args) {
        Path report = runExample(args);
        System.out.println("Report: " + report);
    }

    /**
     * Runs the demonstration.
     *
     * @param args the options, as for {@link #main}
     * @return the path of {@code report.md}
     */
    static Path runExample(String... args) {
        ExampleArgs options = ExampleArgs.parse(args, OPTIONS, Set.of("quick"));
        boolean quick = options.has("quick");
        int threads = PyTorchThreads.use(options.integer("threads", quick ? 1 : 2, 1));
        int seeds = options.integer("seeds", quick ? 1 : 3, 1);
        int labelled = options.integer("labelled", quick ? 40 : 1000, 10);
        // the embedded subset lists its images round-robin by class: slices of multiples of 10
        // images are stratified
        ExampleData.Splits splits = ExampleData.FASHION_MNIST.read(options, 0, 0, 0);
        int poolSize = options.integer("pool", quick ? 40 : splits.train().size() - labelled, 10);
        int testSize = options.integer("test", quick ? 40 : 500, 10);
        int aaTest = Math.min(testSize, options.integer("aa-test", quick ? 20 : 200, 1));
        int epochs = options.integer("epochs", quick ? 2 : 10, 1);
        int classifierEpochs = options.integer("classifier-epochs", quick ? 1 : 10, 1);
        int batch = options.integer("batch", quick ? 8 : 32, 2);
        int width = options.integer("width", quick ? 4 : 16, 1);
        double epsilon = options.positive("epsilon", 0.1);
        double gamma = options.positive("gamma", 0.005);
        int warmup = options.integer("warmup", quick ? 1 : 5, 0);
        double decay = options.positive("ema-decay", 0.99);
        double pseudoWeight = options.positive("pseudo-weight", 1);
        Path output = Path.of(options.string("output", "target/few-labels"));

        ImageDataset train = slice(splits.train(), 0, labelled, "labelled");
        ImageDataset pool = slice(splits.train(), labelled, labelled + poolSize, "pool");
        ImageDataset test = splits.test(testSize, 0);
        ImageDataset aaImages = slice(test, 0, aaTest, "APGD");
        String rules =
                "a claim holds when the Student-t 95 % interval of the mean paired (by seed)"
                        + " difference in test PGD-20 accuracy lies above 0: (1) RST-AWP - TRADES-AWP"
                        + " (raw weights); (2) EMA - raw, for each method";
        String settings =
                String.format(
                        Locale.ROOT,
                        "%d seeds; %d labelled, %d pool, %d test images; L-inf eps %s; flat CNN width"
                                + " %d; %d epochs, %d labelled per batch (RST: + %d pseudo-labelled);"
                                + " SGD 0.05/0.9/5e-4, piecewise reference schedule; TRADES beta 6;"
                                + " AWP gamma %s from epoch %d; EMA decay %s; pseudo-label loss"
                                + " weight %s; classifier: %d epochs of clean cross-entropy;"
                                + " APGD-CE + APGD-T (AutoAttack's first two attacks) on the first"
                                + " %d test images; %d PyTorch threads",
                        seeds,
                        labelled,
                        poolSize,
                        testSize,
                        epsilon,
                        width,
                        epochs,
                        batch,
                        batch,
                        gamma,
                        warmup,
                        decay,
                        pseudoWeight,
                        classifierEpochs,
                        aaTest,
                        threads);
        System.out.println("Settings: " + settings);
        System.out.println("Rules (fixed before the run): " + rules);
        long start = System.nanoTime();
        List<Result> results = new ArrayList<>();
        List<String> pseudoAccuracies = new ArrayList<>();
        for (long seed = 0; seed < seeds; seed++) {
            AdversarialTraining base =
                    spec(epochs, batch, epsilon, gamma, warmup, decay, testSize, seed);
            AdversarialTraining classifier =
                    AdversarialTraining.builder()
                            .from(base)
                            .objective(Objectives.trades(0))
                            .attack(ExampleData.scaled(base.attack(), epsilon).withSteps(1))
                            .weightPerturbation(WeightPerturbation.none())
                            .weightAveraging(WeightAveraging.none())
                            .epochs(classifierEpochs)
                            .evaluation(base.evaluation().withEveryEpochs(classifierEpochs))
                            .build();
            ImageDataset pseudo;
            try (Model model = model(width)) {
                trainer(classifier, train, test, null, null).fit(model);
                pseudo =
                        PseudoLabels.label(
                                model, pool, 256, new ai.djl.training.util.ProgressBar());
            }
            Accuracy agreement = PseudoLabels.accuracy(pseudo, pool);
            pseudoAccuracies.add(String.format(Locale.ROOT, "%.1f %%", 100 * agreement.value()));
            System.out.printf(
                    Locale.ROOT,
                    "seed %d: pseudo-label accuracy %.1f %%%n",
                    seed,
                    100 * agreement.value());
            Evaluation evaluation = new Evaluation(train, test, aaImages, epsilon, seed);
            results.addAll(run("TRADES-AWP", base, null, evaluation, width, output));
            results.addAll(
                    run(
                            "RST-AWP",
                            base.withExtraSources(
                                            ExtraSource.of(PSEUDO_LABELLED, 0.5, pseudoWeight))
                                    .withBatchSize(2 * batch),
                            pseudo,
                            evaluation,
                            width,
                            output));
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        String report =
                FewLabelsReport.markdown(results, settings, rules, pseudoAccuracies, minutes);
        Path file = output.resolve("report.md");
        try {
            Files.createDirectories(output);
            Files.writeString(file, report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println(report);
        return file;
    }

    static AdversarialTraining spec(
            int epochs,
            int batch,
            double epsilon,
            double gamma,
            int warmup,
            double decay,
            int testSize,
            long seed) {
        AdversarialTraining spec =
                AdversarialTraining.builder()
                        .from(Recipes.tradesAwp())
                        .weightPerturbation(WeightPerturbation.of(gamma).withWarmupEpochs(warmup))
                        .weightAveraging(
                                WeightAveraging.builder()
                                        .kind(AveragingKind.EMA)
                                        .decay(decay)
                                        .build())
                        .epochs(epochs)
                        .batchSize(batch)
                        .optimizer(OptimizerSpec.sgd(0.05, 0.9, 5e-4))
                        .schedule(Schedules.reference())
                        .evaluation(
                                EvaluationPlan.builder()
                                        .everyEpochs(epochs)
                                        // the final models are evaluated in full after the run
                                        .subsetSize(Math.min(testSize, 100))
                                        .trainSubsetSize(Math.min(testSize, 100))
                                        .subsetSeed(seed)
                                        .attack(Attacks.pgd20())
                                        .build())
                        .checkpoints(CheckpointPolicy.builder().keepBest(false).build())
                        .batchNormForwards(BatchNormForwards.MINIMAL)
                        .seed(seed)
                        .build();
        return ExampleData.withEpsilon(spec, epsilon);
    }

    /** The data every model of a seed is evaluated on, and the evaluators. */
    private record Evaluation(
            ImageDataset train,
            ImageDataset test,
            ImageDataset aaImages,
            RobustnessEvaluator pgd,
            RobustnessEvaluator autoAttack,
            long seed) {

        Evaluation(
                ImageDataset train,
                ImageDataset test,
                ImageDataset aaImages,
                double epsilon,
                long seed) {
            this(
                    train,
                    test,
                    aaImages,
                    RobustnessEvaluator.builder()
                            .optAttacks(List.of(ExampleData.scaled(Attacks.pgd20(), epsilon)))
                            .optSeed(seed)
                            .optNoProgress()
                            .build(),
                    RobustnessEvaluator.builder()
                            .optAttacks(
                                    List.of(
                                            Attacks.apgdCe()
                                                    .withThreatModel(ThreatModel.linf(epsilon)),
                                            Attacks.apgdT()
                                                    .withThreatModel(ThreatModel.linf(epsilon))))
                            .optSeed(seed)
                            .optNoProgress()
                            .build(),
                    seed);
        }

        Result of(String method, Block block) {
            RobustnessReport onTest = pgd.evaluate(block, test);
            RobustnessReport onTrain = pgd.evaluate(block, train);
            RobustnessReport apgd = autoAttack.evaluate(block, aaImages);
            return new Result(
                    method,
                    seed,
                    onTest.cleanAccuracy().value(),
                    onTest.robustAccuracy().value(),
                    onTrain.robustAccuracy().value(),
                    apgd.robustAccuracy().value());
        }
    }

    private static List<Result> run(
            String method,
            AdversarialTraining spec,
            ImageDataset extra,
            Evaluation evaluation,
            int width,
            Path output) {
        Path directory = output.resolve(method + "-seed" + evaluation.seed());
        List<Result> results = new ArrayList<>();
        try (Model model = model(width)) {
            trainer(spec, evaluation.train(), evaluation.test(), extra, directory).fit(model);
            results.add(evaluation.of(method + " + EMA", model.getBlock()));
            AdversarialTrainer.loadRawWeights(AdversarialTrainer.lastCheckpoint(directory), model);
            results.add(evaluation.of(method, model.getBlock()));
        }
        results.forEach(r -> System.out.println(r));
        return results;
    }

    private static AdversarialTrainer trainer(
            AdversarialTraining spec,
            ClassificationData train,
            ClassificationData test,
            ClassificationData extra,
            Path directory) {
        AdversarialTrainer.Builder builder =
                AdversarialTrainer.builder(spec)
                        .setTrainData(train)
                        .setValidationData(test)
                        .optNoProgress();
        if (extra != null) {
            builder.optExtraData(PSEUDO_LABELLED, extra);
        }
        if (directory != null) {
            builder.optOutputDirectory(directory).optOverwrite(true);
        }
        return builder.build();
    }

    /** Images {@code from .. to - 1} of {@code data}. */
    static ImageDataset slice(ImageDataset data, int from, int to, String name) {
        if (to > data.size()) {
            throw new IllegalArgumentException(
                    "--labelled + --pool must be at most " + data.size() + " but was " + to);
        }
        int bytes = data.imageBytes();
        byte[] images = new byte[(to - from) * bytes];
        int[] labels = new int[to - from];
        for (int i = from; i < to; i++) {
            System.arraycopy(data.image(i), 0, images, (i - from) * bytes, bytes);
            labels[i - from] = data.label(i);
        }
        return ImageDataset.of(
                data.name() + " " + name,
                data.channels(),
                data.height(),
                data.width(),
                images,
                labels,
                data.numClasses());
    }

    private static Model model(int width) {
        Model model = Model.newInstance("flat-cnn");
        Block block = LabModels.flatCnn(width, 10);
        model.setBlock(block);
        return model;
    }
}
