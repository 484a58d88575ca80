package dev.awp.examples;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.diagnostics.LandscapeResult;
import dev.awp.djl.diagnostics.PerturbationComparison;
import dev.awp.djl.diagnostics.Plots;
import dev.awp.djl.diagnostics.WeightLandscape;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.examples.LabStatistics.Interval;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.BatchNormForwards;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.PiecewiseSchedule;
import dev.awp.training.Recipes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * The robust-overfitting lab: measures the AWP paper's claims on real images at the scale of a
 * 2-core machine, over several seeds, and says which reproduced.
 *
 * <p>Every method trains the same architecture on the same data with the same schedule (the
 * reference piecewise schedule: ×0.1 and ×0.01 of the learning rate at 50 % and 75 % of the run, or
 * from {@code --decay-at} on), and the same seed gives every method the same initial weights and
 * batch order, so that differences between methods are paired by seed. The claims, and how the lab
 * measures each:
 *
 * <ol>
 *   <li><b>Robust overfitting and AWP curbing it</b>: best and last test robust accuracy (PGD-20),
 *       their difference, and the final train−test robust gap, for PGD-AT and AT-AWP.
 *   <li><b>A flatter weight loss landscape with AWP</b>: the sharpness of the adversarial loss
 *       along a filter-normalized random direction ({@link WeightLandscape}) of the final models.
 *   <li><b>Random vs adversarial weight perturbation</b>: the training-loss increase of each at the
 *       same relative size 0.01 ({@link PerturbationComparison}).
 *   <li><b>A γ sweep</b> ({@code --gammas}, default 0, 0.0025, 0.005, 0.01, 0.02): train robust
 *       accuracy, gap and test robust accuracy as γ grows.
 *   <li><b>TRADES-AWP and MART-AWP against TRADES and MART</b>, in the same setting.
 * </ol>
 *
 * <p>Intervals: over seeds, Student's t 95 % interval of the mean (or of the mean paired
 * difference); over examples, the mean half-width of the runs' 95 % Wilson intervals of test robust
 * accuracy. Each claim's verdict follows a rule fixed before the run and printed with it (an
 * interval of a paired difference that excludes zero); nothing is selected after the fact.
 *
 * <p>Defaults: the embedded Fashion-MNIST subset, {@value #DEFAULT_TRAIN} training images, {@value
 * #DEFAULT_TEST} test images (every test evaluation on all of them), L∞ ε = 0.1, no augmentation
 * ({@code --augmentation none}: the images are 28×28 garments, and CIFAR-10's pad-crop-flip is part
 * of the CIFAR recipes, not of this data), a CNN without global pooling and without BatchNorm
 * ({@code --model flat-cnn}, width {@value #DEFAULT_WIDTH}: conv–relu–pool twice, a 256-unit hidden
 * layer), {@value #DEFAULT_EPOCHS} epochs, batch 32, SGD 0.05 / 0.9 / 5e-4 with torch.optim.SGD's
 * momentum rule, PGD-10 training attacks, PGD-20 evaluation every {@value #DEFAULT_EVAL_EVERY}
 * epochs, AWP after a warm-up of {@value #DEFAULT_WARMUP} epochs (at most half the run), only
 * PGD-AT and AT-AWP ({@code --parts at}: claims 1 to 3), 3 seeds, two runs at a time in child JVMs
 * of one PyTorch thread each ({@code --jobs}).
 *
 * <p>Why a warm-up (measured with this network, no augmentation, one seed): with AWP from the first
 * epoch (warm-up 0, γ = 0.01), AT-AWP stayed at chance, training loss 2.305–2.307 (ln 10 = 2.303)
 * and 10 % accuracy through 15 epochs at learning rate 0.05, while PGD-AT in the same seed was at
 * loss 1.13; switched on at epoch 10, after plain AT had reached loss 1.19, AWP raised the loss to
 * 1.49 and the network kept learning (loss 1.02 at epoch 19, test robust accuracy 52.9 % vs
 * PGD-AT's 53.6 %).
 *
 * <p>Why this budget: the run must be long enough for plain AT to fit its 400 adversarial training
 * images (at 30 epochs the train−test robust gap was 7–9 points), and short enough for the whole
 * lab to take under an hour on a 2-core machine. The 6 runs of 100 epochs took 42 minutes at a load
 * average of 6–16 (7.5 minutes a run on a quieter machine), and PGD-AT ended at 89.5 % train
 * against 59.3 % test robust accuracy (see {@code site/results/lab/analysis.md}); the γ sweep and
 * TRADES/MART at the same length would take several hours ({@code --parts at,sweep,trades,mart}
 * runs them all, with {@code --gammas} for the sweep's values). {@code --quick} shrinks everything
 * to a smoke run of a few seconds per method.
 */
public final class RobustOverfittingLab {

    static final int DEFAULT_TRAIN = 400;
    static final int DEFAULT_TEST = 1000;
    static final int DEFAULT_WIDTH = 16;
    static final int DEFAULT_EPOCHS = 100;
    static final int DEFAULT_EVAL_EVERY = 10;
    static final int DEFAULT_WARMUP = 10;
    static final String DEFAULT_PARTS = "at";

    private static final List<Double> DEFAULT_GAMMAS = List.of(0.0, 0.0025, 0.005, 0.01, 0.02);

    private RobustOverfittingLab() {}

    /** The objective family of a method. */
    enum Family {
        AT("PGD-AT", "AT-AWP"),
        TRADES("TRADES", "TRADES-AWP"),
        MART("MART", "MART-AWP");

        final String base;
        final String withAwp;

        Family(String base, String withAwp) {
            this.base = base;
            this.withAwp = withAwp;
        }

        AdversarialTraining recipe() {
            switch (this) {
                case TRADES:
                    return Recipes.trades();
                case MART:
                    return Recipes.mart();
                default:
                    return Recipes.at();
            }
        }
    }

    /** One configuration: a family and γ (0 = no AWP). */
    record Method(Family family, double gamma, boolean diagnostics) {

        String name() {
            return gamma == 0 ? family.base : family.withAwp;
        }

        /** The name with γ, for the sweep. */
        String label() {
            return gamma == 0 ? family.base : family.withAwp + " γ=" + gamma;
        }
    }

    /** One training run and its measurements. */
    record Run(
            Method method,
            long seed,
            List<EpochMetrics> epochs,
            double bestRobust,
            int bestEpoch,
            Accuracy lastRobust,
            double lastClean,
            double lastTrainRobust,
            double lastGap,
            LandscapeResult landscape,
            PerturbationComparison comparison,
            double seconds) {

        /** A run from its history: best and last test robust accuracy, gap, clean accuracy. */
        static Run of(
                Method method,
                long seed,
                List<EpochMetrics> history,
                LandscapeResult landscape,
                PerturbationComparison comparison,
                double seconds) {
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
            return new Run(
                    method,
                    seed,
                    history,
                    bestRobust,
                    bestEpoch,
                    last.robustAccuracy().orElseThrow(),
                    last.cleanAccuracy().map(Accuracy::value).orElse(Double.NaN),
                    last.trainRobustAccuracy().map(Accuracy::value).orElse(Double.NaN),
                    last.robustGap().orElse(Double.NaN),
                    landscape,
                    comparison,
                    seconds);
        }

        double drop() {
            return bestRobust - lastRobust.value();
        }

        double exampleHalfWidth() {
            return (lastRobust.upper() - lastRobust.lower()) / 2;
        }
    }

    /** The lab's settings. */
    record Settings(
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
            Set<String> parts) {}

    /**
     * Runs the lab.
     *
     * @param args {@code --quick} (a smoke run with tiny sizes), {@code --seeds N} (3), {@code
     *     --train N} (400), {@code --test N} (1000), {@code --train-eval N} (training images for
     *     train robust accuracy, 500), {@code --epochs N} (100), {@code --eval-every N} (10),
     *     {@code --landscape-points N} (9), {@code --model flat-cnn|small-cnn} (flat-cnn), {@code
     *     --width N} (16), {@code --batch N} (32), {@code --lr X} (0.05), {@code --decay-at X}
     *     (fraction of the run at which the learning rate drops ×0.1, then ×0.01 halfway to the
     *     end; 0.5), {@code --attack-bn eval|train} (eval), {@code --gamma X} (AT-AWP's γ, 0.01),
     *     {@code --gammas X,Y,..} (the sweep, 0,0.0025,0.005,0.01,0.02), {@code --warmup N} (epochs
     *     without AWP, 10 or half the run if shorter), {@code --parts at,sweep,trades,mart} (at),
     *     {@code --augmentation none|reflect|zero} (the training augmentation: none, CIFAR-10's
     *     reflect-pad 4 crop and flip, or zero-pad 4 crop and flip; none), {@code --dataset
     *     fashion-mnist|synthetic|cifar10|mnist|kmnist} (fashion-mnist: the embedded subset without
     *     {@code --data-dir}), {@code --data-dir DIR}, {@code --epsilon X} (the L∞ budget of every
     *     attack, steps scaled with it; 0.1 for the MNIST family, 8/255 otherwise), {@code --output
     *     DIR} ({@code target/lab}), {@code --threads N} (PyTorch intra-op threads, 1: see {@link
     *     PyTorchThreads}), {@code --jobs N} (runs at a time, each in a child JVM with one thread;
     *     2, at most the cores; 1 runs in this JVM)
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
                                "output"),
                        Set.of("quick"));
        boolean quick = options.has("quick");
        int threads = PyTorchThreads.use(options.integer("threads", 1, 1));
        String command = String.join(" ", args);
        int trainSize = options.integer("train", quick ? 48 : DEFAULT_TRAIN, 1);
        int testSize = options.integer("test", quick ? 32 : DEFAULT_TEST, 1);
        int epochs = options.integer("epochs", quick ? 2 : DEFAULT_EPOCHS, 1);
        ExampleData dataset = ExampleData.parse(options, ExampleData.FASHION_MNIST);
        ExampleData.Splits splits = dataset.read(options, trainSize, testSize, 0);
        ImageDataset train = splits.train(trainSize, 0);
        ImageDataset test = splits.test(testSize, 0);
        double epsilon = options.positive("epsilon", dataset.defaultEpsilon);
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
            if (!Set.of("at", "sweep", "trades", "mart").contains(part)) {
                throw new IllegalArgumentException(
                        "--parts takes at, sweep, trades and mart but was given " + part);
            }
        }
        Settings settings =
                new Settings(
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
        Path output = Path.of(options.string("output", "target/lab"));
        Files.createDirectories(output);
        String dataName = splits.title() + ", L∞ ε = " + ExampleData.describe(epsilon);

        List<Method> methods = methods(settings);
        System.out.printf(
                Locale.ROOT,
                "Robust-overfitting lab: %d methods × %d seeds on %s (%d training, %d test"
                        + " images)%n",
                methods.size(),
                settings.seeds(),
                dataName,
                train.size(),
                test.size());
        System.out.printf(
                Locale.ROOT,
                "%d epochs, AWP from epoch %d; augmentation: %s; optimizer: %s%n",
                settings.epochs(),
                settings.warmup(),
                settings.augmentation().describe(),
                optimizer(settings));
        List<Task> tasks = new ArrayList<>();
        for (int seed = 0; seed < settings.seeds(); seed++) {
            for (Method method : methods) {
                tasks.add(new Task(tasks.size(), method, seed));
            }
        }
        if (options.has("task")) {
            // a child process of --jobs: one run, its files in its run directory, no report
            Task task = tasks.get(options.integer("task", 0, 0));
            Run run = run(task, train, test, settings, output);
            writeDiagnostics(runDirectory(output, task), run);
            return runDirectory(output, task);
        }
        int jobs =
                Math.min(
                        tasks.size(),
                        options.integer(
                                "jobs",
                                quick ? 1 : Math.min(2, Runtime.getRuntime().availableProcessors()),
                                1));
        long start = System.nanoTime();
        List<Run> runs =
                jobs == 1
                        ? inProcess(tasks, train, test, settings, output, start)
                        : inChildren(tasks, jobs, args, output, start);
        double minutes = (System.nanoTime() - start) / 60e9;
        Path report = write(output, runs, settings, threads, dataName, command, minutes);
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

    /** The optimizer every run uses, with its update rule. */
    static String optimizer(Settings settings) {
        return spec(new Method(Family.AT, 0, false), 0, settings).optimizer().describe();
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

    /** PGD-AT and AT-AWP first (with diagnostics), then the rest of the sweep, then the others. */
    static List<Method> methods(Settings settings) {
        List<Method> methods = new ArrayList<>();
        if (settings.parts().contains("at") || settings.parts().contains("sweep")) {
            methods.add(new Method(Family.AT, 0, true));
            methods.add(new Method(Family.AT, settings.gamma(), true));
        }
        if (settings.parts().contains("sweep")) {
            for (double gamma : settings.gammas()) {
                if (gamma != 0 && gamma != settings.gamma()) {
                    methods.add(new Method(Family.AT, gamma, false));
                }
            }
        }
        if (settings.parts().contains("trades")) {
            methods.add(new Method(Family.TRADES, 0, false));
            methods.add(new Method(Family.TRADES, settings.gamma() / 2, false));
        }
        if (settings.parts().contains("mart")) {
            methods.add(new Method(Family.MART, 0, false));
            methods.add(new Method(Family.MART, settings.gamma() / 2, false));
        }
        return methods;
    }

    /** The network: a CNN without global pooling (memorizes readily) or {@link SmallCnn}. */
    static Block model(Settings settings, int numClasses) {
        int w = settings.width();
        if (settings.model().equals("small-cnn")) {
            return SmallCnn.builder().setNumClasses(numClasses).optWidth(w).build();
        }
        SequentialBlock net =
                new SequentialBlock()
                        .add(conv(w))
                        .add(Activation::relu)
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(conv(2 * w))
                        .add(Activation::relu)
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(256).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(numClasses).build());
        // PyTorch's default for convolution and linear weights, U(±1/√fan_in); DJL's default
        // (Xavier, Gaussian, magnitude 2 over fan average) left this network at chance
        net.setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1),
                Parameter.Type.WEIGHT);
        return net;
    }

    private static Conv2d conv(int filters) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(filters)
                .build();
    }

    static AdversarialTraining spec(Method method, long seed, Settings settings) {
        AdversarialTraining recipe = method.family().recipe();
        WeightPerturbation perturbation =
                method.gamma() == 0
                        ? WeightPerturbation.none()
                        : WeightPerturbation.of(method.gamma()).withWarmupEpochs(settings.warmup());
        Attack attack = recipe.attack().withBatchNormMode(settings.attackBn());
        AdversarialTraining spec =
                AdversarialTraining.builder()
                        .from(recipe)
                        .weightPerturbation(perturbation)
                        .epochs(settings.epochs())
                        .batchSize(settings.batchSize())
                        .optimizer(OptimizerSpec.sgd(settings.learningRate(), 0.9, 5e-4))
                        .schedule(
                                PiecewiseSchedule.builder()
                                        .boundaries(
                                                List.of(
                                                        settings.decayAt(),
                                                        (1 + settings.decayAt()) / 2))
                                        .build())
                        .attack(attack)
                        .seed(seed)
                        .evaluation(
                                EvaluationPlan.builder()
                                        .everyEpochs(settings.evalEvery())
                                        .subsetSize(settings.testSize())
                                        .trainSubsetSize(settings.trainEvalSize())
                                        .subsetSeed(seed)
                                        .attack(Attacks.pgd20())
                                        .build())
                        .checkpoints(CheckpointPolicy.none())
                        // without BatchNorm the official extra forwards change nothing: skip them
                        .batchNormForwards(
                                settings.model().equals("flat-cnn")
                                        ? BatchNormForwards.MINIMAL
                                        : recipe.batchNormForwards())
                        .build();
        return ExampleData.withEpsilon(spec, settings.epsilon());
    }

    private static Run run(
            Task task, ImageDataset train, ImageDataset test, Settings settings, Path output)
            throws IOException {
        Method method = task.method();
        long seed = task.seed();
        AdversarialTraining spec = spec(method, seed, settings);
        long start = System.nanoTime();
        try (Model model = Model.newInstance(task.directoryName())) {
            model.setBlock(model(settings, train.numClasses()));
            TrainingReport report =
                    AdversarialTrainer.builder(spec)
                            .setTrainData(train)
                            .setValidationData(test)
                            .optAugmentation(settings.augmentation())
                            .optOutputDirectory(runDirectory(output, task))
                            // a new lab run replaces the previous one's run directories
                            .optOverwrite(true)
                            .build()
                            .fit(model);
            List<EpochMetrics> history = report.epochs();
            LandscapeResult landscape = null;
            PerturbationComparison comparison = null;
            if (method.diagnostics()) {
                ImageDataset probe = test.subset(Math.min(200, test.size()), seed);
                landscape =
                        WeightLandscape.builder()
                                .attack(ExampleData.scaled(Attacks.pgd(5), settings.epsilon()))
                                .alphas(-1, 1, settings.landscapePoints())
                                .seed(seed)
                                .build()
                                .compute(method.name(), model.getBlock(), probe);
                comparison = compare(model, probe, seed, settings.epsilon());
            }
            Run run =
                    Run.of(
                            method,
                            seed,
                            history,
                            landscape,
                            comparison,
                            (System.nanoTime() - start) / 1e9);
            printRun(run);
            return run;
        }
    }

    /** One run to make: a method and a seed, numbered in the lab's order. */
    record Task(int index, Method method, long seed) {

        String directoryName() {
            return method.label().replace(" γ=", "-gamma") + "-seed" + seed;
        }
    }

    /** What a run leaves besides its {@code metrics.jsonl}, for the parent of {@code --jobs}. */
    record Diagnostics(
            LandscapeResult landscape, PerturbationComparison comparison, double seconds) {}

    private static final String DIAGNOSTICS = "lab-run.json";

    static Path runDirectory(Path output, Task task) {
        return output.resolve("runs").resolve(task.directoryName());
    }

    private static List<Run> inProcess(
            List<Task> tasks,
            ImageDataset train,
            ImageDataset test,
            Settings settings,
            Path output,
            long start)
            throws IOException {
        List<Run> runs = new ArrayList<>();
        for (Task task : tasks) {
            announce(task, tasks.size(), start);
            runs.add(run(task, train, test, settings, output));
        }
        return runs;
    }

    /**
     * Makes the runs in {@code jobs} child JVMs at a time, each with one PyTorch thread. The
     * engine's random generator is global to a process, so runs on threads of one JVM would draw
     * from it in an unpredictable order; processes keep every run's numbers what they are alone.
     */
    private static List<Run> inChildren(
            List<Task> tasks, int jobs, String[] args, Path output, long start) throws IOException {
        String javaCommand =
                ProcessHandle.current()
                        .info()
                        .command()
                        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> jvm =
                new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        jvm.removeIf(a -> a.startsWith("-agentlib") || a.startsWith("-javaagent"));
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<Future<Run>> futures = new ArrayList<>();
            for (Task task : tasks) {
                futures.add(
                        pool.submit(
                                () -> {
                                    announce(task, tasks.size(), start);
                                    return child(task, javaCommand, jvm, args, output);
                                }));
            }
            List<Run> runs = new ArrayList<>();
            for (Future<Run> future : futures) {
                runs.add(future.get());
            }
            return runs;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the runs", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io
                    ? io
                    : new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Run child(
            Task task, String javaCommand, List<String> jvm, String[] args, Path output)
            throws IOException, InterruptedException {
        Path directory = runDirectory(output, task);
        Files.createDirectories(directory);
        Path log = directory.resolve("log.txt");
        List<String> command = new ArrayList<>();
        command.add(javaCommand);
        command.addAll(jvm);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RobustOverfittingLab.class.getName());
        command.addAll(withoutOptions(args, Set.of("--jobs", "--threads", "--task")));
        command.addAll(
                List.of("--task", Integer.toString(task.index()), "--threads", "1", "--jobs", "1"));
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(
                    String.format(
                            Locale.ROOT,
                            "run %s failed (exit %d): see %s",
                            task.directoryName(),
                            exit,
                            log));
        }
        Diagnostics diagnostics =
                GSON.fromJson(Files.readString(directory.resolve(DIAGNOSTICS)), Diagnostics.class);
        Run run =
                Run.of(
                        task.method(),
                        task.seed(),
                        AdversarialTrainer.readMetricsLog(directory),
                        diagnostics.landscape(),
                        diagnostics.comparison(),
                        diagnostics.seconds());
        printRun(run);
        return run;
    }

    /** {@code args} without the given options, in both {@code --x v} and {@code --x=v} forms. */
    static List<String> withoutOptions(String[] args, Set<String> names) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String name =
                    args[i].contains("=") ? args[i].substring(0, args[i].indexOf('=')) : args[i];
            if (names.contains(name)) {
                if (!args[i].contains("=")) {
                    i++;
                }
                continue;
            }
            kept.add(args[i]);
        }
        return kept;
    }

    private static void writeDiagnostics(Path directory, Run run) throws IOException {
        Files.writeString(
                directory.resolve(DIAGNOSTICS),
                GSON.toJson(new Diagnostics(run.landscape(), run.comparison(), run.seconds())));
    }

    private static final Gson GSON =
            new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private static void announce(Task task, int count, long start) {
        System.out.printf(
                Locale.ROOT,
                "== run %d/%d: %s, seed %d (%.1f min so far)%n",
                task.index() + 1,
                count,
                task.method().label(),
                task.seed(),
                (System.nanoTime() - start) / 60e9);
    }

    private static void printRun(Run run) {
        System.out.printf(
                Locale.ROOT,
                "   %s seed %d: best %.1f %% (epoch %d), last %.1f %%, train robust %.1f %%,"
                        + " %.0f s%n",
                run.method().label(),
                run.seed(),
                100 * run.bestRobust(),
                run.bestEpoch(),
                100 * run.lastRobust().value(),
                100 * run.lastTrainRobust(),
                run.seconds());
    }

    /** Random vs adversarial weight perturbation (γ = 0.01) on the probe set. */
    private static PerturbationComparison compare(
            Model model, ImageDataset probe, long seed, double epsilon) {
        try (Trainer trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()));
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

    // ---------------------------------------------------------------- the report

    private static Path write(
            Path output,
            List<Run> runs,
            Settings s,
            int threads,
            String dataName,
            String command,
            double minutes)
            throws IOException {
        Map<String, List<Run>> byLabel = new LinkedHashMap<>();
        for (Run run : runs) {
            byLabel.computeIfAbsent(run.method().label(), k -> new ArrayList<>()).add(run);
        }
        StringBuilder md = new StringBuilder();
        md.append("# Robust-overfitting lab\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Arguments: `%s`.%n%nData: %s, %d training and %d test images."
                                + " Augmentation: %s. Model: %s, width %d. %d epochs, batch %d,"
                                + " optimizer: %s; learning rate ×0.1 from %.0f %% of the run,"
                                + " ×0.01 from %.0f %%. Training attacks: each recipe's (PGD-10 for AT, TRADES's and MART's"
                                + " for them, steps scaled to ε), BatchNorm in %s mode. Test"
                                + " robust accuracy: PGD-20 on the %d test images every %d"
                                + " epochs; train robust accuracy: PGD-20 on %d training images."
                                + " AWP: γ = %s for AT-AWP and γ/2 for TRADES-AWP and MART-AWP"
                                + " (the paper's ratio), from epoch %d. Seeds: %d. %d runs in"
                                + " %.1f minutes on %d cores (%s) with %d PyTorch thread(s), Java %s.%n%n",
                        command,
                        dataName,
                        s.trainSize(),
                        s.testSize(),
                        s.augmentation().describe(),
                        s.model(),
                        s.width(),
                        s.epochs(),
                        s.batchSize(),
                        optimizer(s),
                        100 * s.decayAt(),
                        100 * (1 + s.decayAt()) / 2,
                        s.attackBn() == BatchNormMode.TRAIN ? "training" : "inference",
                        s.testSize(),
                        s.evalEvery(),
                        s.trainEvalSize(),
                        s.gamma(),
                        s.warmup(),
                        s.seeds(),
                        runs.size(),
                        minutes,
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("os.arch"),
                        threads,
                        System.getProperty("java.version")));
        md.append(
                "Intervals are 95 %: ± over seeds is Student's t interval of the mean; \"± examples\""
                        + " is the mean half-width of the runs' Wilson intervals (the sampling error"
                        + " of the test set alone).\n\n");
        appendVerdicts(md, byLabel, s);
        md.append("## Every method, mean over seeds\n\n");
        md.append(
                "| method | best test robust | last test robust | ± examples | best − last | last"
                        + " test clean | last train robust | train−test robust gap | minutes per"
                        + " run |\n|---|---|---|---|---|---|---|---|---|\n");
        byLabel.forEach(
                (label, list) ->
                        md.append(
                                String.format(
                                        Locale.ROOT,
                                        "| %s | %s | %s | %.1f | %s | %s | %s | %s | %.1f |%n",
                                        label,
                                        pct(list, Run::bestRobust),
                                        pct(list, r -> r.lastRobust().value()),
                                        100 * average(list, Run::exampleHalfWidth),
                                        pct(list, Run::drop),
                                        pct(list, Run::lastClean),
                                        pct(list, Run::lastTrainRobust),
                                        pct(list, Run::lastGap),
                                        average(list, Run::seconds) / 60)));
        md.append("\nPercentages; best − last and the gap in points.\n\n");
        List<Run> diagnosed = runs.stream().filter(r -> r.method().diagnostics()).toList();
        if (!diagnosed.isEmpty()) {
            md.append(
                    "## Weight loss landscape and weight perturbations\n\n| method | landscape"
                            + " sharpness | random Δloss | adversarial Δloss |\n|---|---|---|---|\n");
            byLabel.forEach(
                    (label, list) -> {
                        if (list.get(0).method().diagnostics()) {
                            md.append(
                                    String.format(
                                            Locale.ROOT,
                                            "| %s | %s | %s | %s |%n",
                                            label,
                                            num(list, r -> r.landscape().sharpness()),
                                            num(list, r -> r.comparison().randomIncrease()),
                                            num(list, r -> r.comparison().adversarialIncrease())));
                        }
                    });
            md.append(
                    "\nSharpness: mean adversarial loss at α = ±1 minus the loss at α = 0 along a"
                            + " filter-normalized Gaussian direction (PGD-5 regenerated at every α,"
                            + " 200 test images). Random/adversarial Δloss: training-mode loss"
                            + " increase of a random and of AWP's weight perturbation, both with"
                            + " ‖v_l‖ = 0.01‖w_l‖, on the same 200 images.\n\n");
        }
        md.append(
                "## Per run\n\n| method | seed | best test robust (epoch) | last test robust [Wilson"
                        + " 95 %] | last clean | last train robust | gap | seconds |\n"
                        + "|---|---|---|---|---|---|---|---|\n");
        for (Run run : runs) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %.1f %% (%d) | %.1f %% [%.1f, %.1f] | %.1f %% | %.1f %% |"
                                    + " %.1f | %.0f |%n",
                            run.method().label(),
                            run.seed(),
                            100 * run.bestRobust(),
                            run.bestEpoch(),
                            100 * run.lastRobust().value(),
                            100 * run.lastRobust().lower(),
                            100 * run.lastRobust().upper(),
                            100 * run.lastClean(),
                            100 * run.lastTrainRobust(),
                            100 * run.lastGap(),
                            run.seconds()));
        }
        md.append(
                "\n![training curves, seed 0](curves.png)\n\n![weight loss landscape, seed"
                        + " 0](landscape.png)\n");

        Map<String, List<EpochMetrics>> curves = new LinkedHashMap<>();
        List<LandscapeResult> landscapes = new ArrayList<>();
        for (Run run : runs) {
            if (run.seed() == 0 && run.method().diagnostics()) {
                curves.put(run.method().name(), run.epochs());
                landscapes.add(run.landscape());
            }
        }
        if (!curves.isEmpty()) {
            Plots.trainingCurves(output.resolve("curves"), curves);
            Plots.landscape(output.resolve("landscape"), landscapes);
        }
        Files.writeString(output.resolve("lab.json"), json(runs, s, dataName, command, minutes));
        Path report = output.resolve("report.md");
        Files.writeString(report, md.toString());
        return report;
    }

    /** The claims, each with its rule and what the numbers say. */
    private static void appendVerdicts(
            StringBuilder md, Map<String, List<Run>> byLabel, Settings s) {
        md.append("## The paper's claims: what reproduced\n\n");
        List<Run> at = byLabel.get(Family.AT.base);
        List<Run> awp =
                at == null ? null : byLabel.get(new Method(Family.AT, s.gamma(), true).label());
        if (at != null && awp != null) {
            Interval drop = LabStatistics.mean(values(at, Run::drop));
            md.append(
                    verdict(
                            "1a. PGD-AT overfits robustly (test robust accuracy falls from its best"
                                    + " to the last epoch)",
                            "best − last of PGD-AT > 0, interval over seeds",
                            drop,
                            "best − last = "
                                    + drop.format(100, 1)
                                    + " points; last train robust "
                                    + LabStatistics.mean(values(at, Run::lastTrainRobust))
                                            .format(100, 1)
                                    + " %"));
            Interval dropDiff =
                    LabStatistics.pairedDifference(values(at, Run::drop), values(awp, Run::drop));
            md.append(
                    verdict(
                            "1b. AWP curbs it (a smaller best − last drop)",
                            "PGD-AT drop − AT-AWP drop > 0, paired by seed",
                            dropDiff,
                            "difference " + dropDiff.format(100, 1) + " points"));
            Interval gapDiff =
                    LabStatistics.pairedDifference(
                            values(at, Run::lastGap), values(awp, Run::lastGap));
            md.append(
                    verdict(
                            "1c. AWP narrows the train−test robust gap",
                            "PGD-AT gap − AT-AWP gap > 0, paired by seed",
                            gapDiff,
                            "difference " + gapDiff.format(100, 1) + " points"));
            Interval lastDiff =
                    LabStatistics.pairedDifference(
                            values(awp, r -> r.lastRobust().value()),
                            values(at, r -> r.lastRobust().value()));
            md.append(
                    verdict(
                            "1d. AT-AWP ends more robust than PGD-AT",
                            "last test robust AT-AWP − PGD-AT > 0, paired by seed",
                            lastDiff,
                            "difference " + lastDiff.format(100, 1) + " points"));
            Interval sharpness =
                    LabStatistics.pairedDifference(
                            values(at, r -> r.landscape().sharpness()),
                            values(awp, r -> r.landscape().sharpness()));
            md.append(
                    verdict(
                            "2. AT-AWP's weight loss landscape is flatter",
                            "sharpness PGD-AT − AT-AWP > 0, paired by seed",
                            sharpness,
                            "difference " + sharpness.format(1, 3)));
            List<Run> both = new ArrayList<>(at);
            both.addAll(awp);
            Interval randomVsAdversarial =
                    LabStatistics.pairedDifference(
                            values(both, r -> r.comparison().adversarialIncrease()),
                            values(both, r -> r.comparison().randomIncrease()));
            md.append(
                    verdict(
                            "3. An adversarial weight perturbation raises the loss more than a"
                                    + " random one of the same size",
                            "adversarial Δloss − random Δloss > 0 over all PGD-AT and AT-AWP runs",
                            randomVsAdversarial,
                            "random Δloss "
                                    + LabStatistics.mean(
                                                    values(
                                                            both,
                                                            r -> r.comparison().randomIncrease()))
                                            .format(1, 4)
                                    + ", adversarial "
                                    + LabStatistics.mean(
                                                    values(
                                                            both,
                                                            r ->
                                                                    r.comparison()
                                                                            .adversarialIncrease()))
                                            .format(1, 3)));
        }
        appendSweep(md, byLabel, s);
        for (Family family : List.of(Family.TRADES, Family.MART)) {
            List<Run> base = byLabel.get(family.base);
            List<Run> with = byLabel.get(new Method(family, s.gamma() / 2, false).label());
            if (base != null && with != null) {
                Interval diff =
                        LabStatistics.pairedDifference(
                                values(with, r -> r.lastRobust().value()),
                                values(base, r -> r.lastRobust().value()));
                Interval gap =
                        LabStatistics.pairedDifference(
                                values(base, Run::lastGap), values(with, Run::lastGap));
                md.append(
                        verdict(
                                "5. " + family.withAwp + " ends more robust than " + family.base,
                                "last test robust "
                                        + family.withAwp
                                        + " − "
                                        + family.base
                                        + " > 0, paired by seed",
                                diff,
                                "difference "
                                        + diff.format(100, 1)
                                        + " points; gap "
                                        + family.base
                                        + " − "
                                        + family.withAwp
                                        + " "
                                        + gap.format(100, 1)
                                        + " points"));
            }
        }
        md.append(
                "\nA claim is *reproduced* when the 95 % interval of its difference lies above"
                        + " zero, *contradicted* when it lies below, and *not resolved* otherwise"
                        + " (including with one seed, where there is no interval).\n\n");
    }

    private static void appendSweep(StringBuilder md, Map<String, List<Run>> byLabel, Settings s) {
        if (!s.parts().contains("sweep")) {
            return;
        }
        List<Double> gammas = new ArrayList<>(s.gammas());
        gammas.sort(Double::compare);
        List<double[]> rows = new ArrayList<>();
        StringBuilder table =
                new StringBuilder(
                        "\n| γ | last train robust | last test robust | best test robust |"
                                + " gap |\n|---|---|---|---|---|\n");
        for (double gamma : gammas) {
            List<Run> list = byLabel.get(new Method(Family.AT, gamma, false).label());
            if (list == null) {
                continue;
            }
            double train = average(list, Run::lastTrainRobust);
            double test = average(list, r -> r.lastRobust().value());
            double gap = average(list, Run::lastGap);
            rows.add(new double[] {gamma, train, test, gap});
            table.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s |%n",
                            gamma,
                            pct(list, Run::lastTrainRobust),
                            pct(list, r -> r.lastRobust().value()),
                            pct(list, Run::bestRobust),
                            pct(list, Run::lastGap)));
        }
        if (rows.size() < 3) {
            return;
        }
        // the claim: as γ grows, train robust accuracy falls and the gap shrinks (a trend over the
        // whole sweep, not every step), and test robustness peaks at an intermediate γ
        double[] first = rows.get(0);
        double[] lastRow = rows.get(rows.size() - 1);
        int peak = 0;
        for (int i = 1; i < rows.size(); i++) {
            if (rows.get(i)[2] > rows.get(peak)[2]) {
                peak = i;
            }
        }
        Interval trainDiff =
                LabStatistics.pairedDifference(
                        values(
                                byLabel.get(new Method(Family.AT, first[0], false).label()),
                                Run::lastTrainRobust),
                        values(
                                byLabel.get(new Method(Family.AT, lastRow[0], false).label()),
                                Run::lastTrainRobust));
        Interval gapDiff =
                LabStatistics.pairedDifference(
                        values(
                                byLabel.get(new Method(Family.AT, first[0], false).label()),
                                Run::lastGap),
                        values(
                                byLabel.get(new Method(Family.AT, lastRow[0], false).label()),
                                Run::lastGap));
        md.append(
                verdict(
                        "4a. Train robust accuracy falls as γ grows",
                        "train robust at the smallest γ − at the largest > 0, paired by seed",
                        trainDiff,
                        "difference " + trainDiff.format(100, 1) + " points"));
        md.append(
                verdict(
                        "4b. The train−test robust gap shrinks as γ grows",
                        "gap at the smallest γ − at the largest > 0, paired by seed",
                        gapDiff,
                        "difference " + gapDiff.format(100, 1) + " points"));
        double peakGamma = rows.get(peak)[0];
        boolean interior = peak != 0 && peak != rows.size() - 1;
        md.append(
                String.format(
                        Locale.ROOT,
                        "- **4c. Test robustness peaks at an intermediate γ (the paper: 0.005–0.01)**:"
                                + " mean last test robust accuracy is highest at γ = %s (%.1f %%),"
                                + " %s. Rule: the mean's maximum is not at either end of the"
                                + " sweep; no interval.%n",
                        peakGamma,
                        100 * rows.get(peak)[2],
                        interior ? "an intermediate value" : "an end of the sweep"));
        md.append(table).append('\n');
    }

    /** A claim's line: reproduced if {@code difference} lies above zero, contradicted if below. */
    private static String verdict(String claim, String rule, Interval difference, String numbers) {
        String outcome =
                difference.above(0)
                        ? "reproduced"
                        : difference.below(0) ? "contradicted" : "not resolved";
        return String.format(
                Locale.ROOT, "- **%s**: *%s*. %s. Rule: %s.%n", claim, outcome, numbers, rule);
    }

    /** The settings (what the report's header says) and every run with its history. */
    private static String json(
            List<Run> runs, Settings s, String dataName, String command, double minutes) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("arguments", command);
        settings.put("data", dataName);
        settings.put("trainImages", s.trainSize());
        settings.put("testImages", s.testSize());
        settings.put("trainEvalImages", s.trainEvalSize());
        settings.put("augmentation", s.augmentation().describe());
        settings.put("model", s.model());
        settings.put("width", s.width());
        settings.put("epochs", s.epochs());
        settings.put("batchSize", s.batchSize());
        settings.put("optimizer", optimizer(s));
        settings.put("decayAt", List.of(s.decayAt(), (1 + s.decayAt()) / 2));
        settings.put("evalEvery", s.evalEvery());
        settings.put("epsilon", s.epsilon());
        settings.put("gamma", s.gamma());
        settings.put("gammas", s.gammas());
        settings.put("warmupEpochs", s.warmup());
        settings.put("attackBatchNorm", s.attackBn().name().toLowerCase(Locale.ROOT));
        settings.put("seeds", s.seeds());
        settings.put("parts", s.parts().stream().sorted().toList());
        settings.put("minutes", minutes);
        List<Map<String, Object>> json = new ArrayList<>();
        for (Run run : runs) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("method", run.method().name());
            entry.put("label", run.method().label());
            entry.put("gamma", run.method().gamma());
            entry.put("seed", run.seed());
            entry.put("bestTestRobust", run.bestRobust());
            entry.put("bestEpoch", run.bestEpoch());
            entry.put("lastTestRobust", run.lastRobust().value());
            entry.put("lastTestClean", run.lastClean());
            entry.put("lastTrainRobust", run.lastTrainRobust());
            entry.put("lastGap", run.lastGap());
            if (run.landscape() != null) {
                entry.put("landscapeAlphas", run.landscape().alphas());
                entry.put("landscapeAdversarialLoss", run.landscape().adversarialLoss());
                entry.put("landscapeCleanLoss", run.landscape().cleanLoss());
                entry.put("sharpness", run.landscape().sharpness());
                entry.put("randomIncrease", run.comparison().randomIncrease());
                entry.put("adversarialIncrease", run.comparison().adversarialIncrease());
            }
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
        Map<String, Object> lab = new LinkedHashMap<>();
        lab.put("settings", settings);
        lab.put("runs", json);
        return new GsonBuilder()
                .setPrettyPrinting()
                .disableHtmlEscaping()
                .serializeSpecialFloatingPointValues()
                .create()
                .toJson(lab);
    }

    private static double[] values(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).toArray();
    }

    private static double average(List<Run> runs, ToDoubleFunction<Run> f) {
        return Arrays.stream(values(runs, f)).average().orElse(Double.NaN);
    }

    private static String pct(List<Run> runs, ToDoubleFunction<Run> f) {
        return LabStatistics.mean(values(runs, f)).format(100, 1);
    }

    private static String num(List<Run> runs, ToDoubleFunction<Run> f) {
        return LabStatistics.mean(values(runs, f)).format(1, 3);
    }
}
