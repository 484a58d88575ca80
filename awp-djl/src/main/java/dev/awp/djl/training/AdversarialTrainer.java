package dev.awp.djl.training;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.util.ProgressBar;
import ai.djl.util.Progress;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.internal.Environment;
import dev.awp.djl.objective.TrainingObjectives;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.event.EpochEnded;
import dev.awp.event.TrainingEventListener;
import dev.awp.event.TrainingStarted;
import dev.awp.event.WarningKind;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.DivergenceAction;
import dev.awp.training.DivergencePolicy;
import dev.awp.training.OptimizerKind;
import dev.awp.training.OptimizerSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a whole {@link AdversarialTraining} specification on a DJL model: the schedule, AWP's
 * warm-up, the objective and attack of every step ({@link AwpEasyTrain#trainStep}), evaluation,
 * checkpoints, resume, events and a metrics log. Named to avoid DJL's {@code Trainer}, which it
 * creates and drives.
 *
 * <pre>{@code
 * AdversarialTraining spec = Recipes.atAwp().withEpochs(10).withSchedule(Schedules.reference());
 * AdversarialTrainer trainer = AdversarialTrainer.builder(spec)
 *         .setTrainData(SyntheticShapes.train(5000, 0))
 *         .setValidationData(SyntheticShapes.test(1000, 0))
 *         .optOutputDirectory(Path.of("runs/at-awp"))
 *         .build();
 * try (Model model = Model.newInstance("small-cnn")) {
 *     model.setBlock(SmallCnn.builder().setNumClasses(10).build());
 *     TrainingReport report = trainer.fit(model);      // or trainer.resume(model)
 *     System.out.println(report.bestRobustAccuracy());
 * }
 * }</pre>
 *
 * <h2>One epoch {@code e} of {@code E}, with {@code N} batches</h2>
 *
 * <ol>
 *   <li>{@link AwpOptimizer#setEpoch setEpoch(e)} (AWP is off during its warm-up);
 *   <li>for batch {@code i} of {@link ClassificationData#trainingBatches} (order and augmentation
 *       seeded by {@code (seed, e, i)}): the learning rate {@code schedule.learningRate(η, e, i, N,
 *       E)} is handed to the optimizer, the engine's random generator is re-seeded from {@code
 *       (seed, e, i)}, and {@link AwpEasyTrain#trainStep} takes the step; a non-finite loss stops
 *       the run with an {@link IllegalStateException};
 *   <li>if the {@link dev.awp.training.EvaluationPlan} evaluates this epoch: a {@link
 *       dev.awp.djl.evaluation.RobustnessEvaluator} measures clean and robust accuracy on a fixed
 *       validation subset, and robust accuracy on a fixed training subset, both at the unperturbed
 *       weights in inference mode (an example is robust if it is classified correctly at the clean
 *       input and under the plan's attack);
 *   <li>checkpoints per the {@link dev.awp.training.CheckpointPolicy} (best, periodic, last), one
 *       line in {@code metrics.jsonl}, then {@link EpochEnded}.
 * </ol>
 *
 * <h2>Output directory</h2>
 *
 * {@code metrics.jsonl} (one JSON object per epoch: epoch, learningRate, trainLoss,
 * trainAdversarialAccuracy, awpActive, elapsedSeconds, cleanAccuracy, robustAccuracy,
 * trainRobustAccuracy, robustGap; accuracies as {@code {correct, total, value}}) and {@code
 * checkpoints/}: {@code best.ckpt}, {@code last.ckpt}, {@code epoch-NNNN.ckpt} (1-based epoch
 * numbers). A checkpoint is a zip archive with the weights and BatchNorm statistics ({@code
 * parameters.params}, DJL's {@code Block.saveParameters} format), the SGD momentum buffers, the
 * position in the run, the best epoch so far and the metrics history; its zip comment, the end of
 * the file, is {@code awp-sha256:} and the SHA-256 of all the bytes before the digest. Each is
 * written to a temporary file in the same directory, sealed with its checksum, forced to disk and
 * renamed atomically over the previous one. Every read verifies the checksum first: a corrupt,
 * truncated or foreign file fails with an error that names it and the other checkpoints of the
 * folder, and is never reported as an architecture mismatch. {@link #loadWeights(Path, Model)} puts
 * a checkpoint's weights into a model.
 *
 * <h2>Determinism and resume</h2>
 *
 * One seed, {@link AdversarialTraining#seed()}, decides the initialization, the data order, the
 * augmentation and every random start of the attacks (the engine is re-seeded before each batch
 * from the position in the run), so the same specification and data give the same metrics on the
 * same machine, and {@link #resume(Model)} — weights, BatchNorm statistics, optimizer state, epoch
 * and best-so-far from {@code last.ckpt} — ends with the same weights as an uninterrupted run. All
 * three {@link OptimizerKind}s are implemented here with state that checkpoints save and restore by
 * parameter name, and steps bit-identical to DJL's optimizers: {@link OptimizerKind#SGD} (momentum
 * buffers and step counts, like DJL's {@code Sgd}), {@link OptimizerKind#ADAM} and {@link
 * OptimizerKind#ADAMW} (first and second moments and step counts, like DJL's {@code Adam} and
 * {@code AdamW}).
 *
 * <h2>Events</h2>
 *
 * {@link TrainingEventListener}s added with {@link Builder#addEventListeners} receive the events in
 * the order their interface documents. DJL {@link TrainingListener}s added with {@link
 * Builder#addTrainingListeners} receive {@code onTrainingBegin} and {@code onTrainingEnd} from the
 * DJL trainer, {@code onTrainingBatch} after every step (with the adversarial logits as
 * predictions) and {@code onEpoch} after every epoch's training batches.
 *
 * <p>Data: any {@link ClassificationData} — an {@link dev.awp.djl.data.ImageDataset} or your own;
 * the model is initialized with the training data's input shape. Limitations: one device. Instances
 * are immutable; one run at a time per output directory.
 */
public final class AdversarialTrainer {

    /** The name of the metrics log in the output directory. */
    public static final String METRICS_LOG = RunDirectory.METRICS_LOG;

    /** The name of the checkpoint folder in the output directory. */
    public static final String CHECKPOINTS = RunDirectory.CHECKPOINTS;

    private final AdversarialTraining spec;
    private final ClassificationData trainData;
    private final ClassificationData validationData;
    private final Path outputDirectory;
    private final Augmentation augmentation;
    private final Device device;
    private final Progress progress;
    private final boolean overwrite;
    private final List<TrainingEventListener> eventListeners;
    private final List<TrainingListener> djlListeners;

    private AdversarialTrainer(Builder builder) {
        this.spec = builder.spec;
        this.trainData = builder.trainData;
        this.validationData = builder.validationData;
        this.outputDirectory = builder.outputDirectory;
        this.augmentation = builder.augmentation;
        this.device = builder.device;
        this.progress = builder.progress;
        this.overwrite = builder.overwrite;
        List<TrainingEventListener> all = new ArrayList<>();
        if (builder.summary) {
            all.add(EpochSummary.toStandardOutput());
        }
        all.addAll(builder.eventListeners);
        this.eventListeners = List.copyOf(all);
        this.djlListeners = List.copyOf(builder.djlListeners);
    }

    /**
     * Starts a builder for a specification.
     *
     * @param training the specification to run
     * @return a new builder
     * @throws NullPointerException if {@code training} is null
     */
    public static Builder builder(AdversarialTraining training) {
        return new Builder(requireNonNull(training, "training"));
    }

    /**
     * The specification this trainer runs.
     *
     * @return the specification
     */
    public AdversarialTraining training() {
        return spec;
    }

    /**
     * The output directory, if one was set.
     *
     * @return the directory of {@code metrics.jsonl} and {@code checkpoints/}
     */
    public Optional<Path> outputDirectory() {
        return Optional.ofNullable(outputDirectory);
    }

    /**
     * Trains the model from its current weights (initialized with the run's seed if the block is
     * not initialized yet), epoch 0 to the end. An existing {@code metrics.jsonl} in the output
     * directory is replaced.
     *
     * @param model the model, with its block set; borrowed, not closed; its weights are trained in
     *     place
     * @return the report of the run
     * @throws NullPointerException if {@code model} is null
     * @throws IllegalArgumentException if the model has no block
     * @throws IllegalStateException if the training loss becomes NaN or infinite
     * @throws UncheckedIOException if the metrics log or a checkpoint cannot be written
     */
    public TrainingReport fit(Model model) {
        requireNonNull(model, "model");
        directory().refusePreviousRun(overwrite);
        return run(model, null);
    }

    /**
     * Resumes an interrupted run from {@code checkpoints/last.ckpt} in the output directory: the
     * weights, BatchNorm statistics, momentum buffers, next epoch, best epoch and metrics history
     * are restored, so that the run ends with the weights an uninterrupted run would have. {@code
     * metrics.jsonl} is rewritten from the checkpoint's history, then appended to.
     *
     * @param model a model with a block of the same architecture as the checkpoint's; its weights
     *     are replaced
     * @return the report of the whole run, epochs before the interruption included
     * @throws NullPointerException if {@code model} is null
     * @throws IllegalArgumentException if the checkpoint belongs to another specification (seed,
     *     epochs, batch size or optimizer) or another architecture
     * @throws IllegalStateException if there is no output directory, no last checkpoint, the
     *     checkpoint's optimizer state cannot be restored, or the run was complete
     * @throws UncheckedIOException if the checkpoint cannot be read
     */
    public TrainingReport resume(Model model) {
        requireNonNull(model, "model");
        Path last =
                outputDirectory()
                        .map(AdversarialTrainer::lastCheckpoint)
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "resume needs an output directory: set"
                                                        + " optOutputDirectory(..) to the"
                                                        + " directory of the interrupted run"));
        if (!Files.isRegularFile(last)) {
            throw new IllegalStateException(
                    "no checkpoint to resume from at "
                            + last
                            + "; run fit(..) first (with CheckpointPolicy.keepLast)");
        }
        return run(model, last);
    }

    /**
     * Resumes a run from a chosen checkpoint of it — {@code best.ckpt}, a periodic {@code
     * epoch-NNNN.ckpt}, or a copy of one — rather than {@code last.ckpt}: training continues with
     * the epoch after the checkpoint's, exactly as the uninterrupted run did from there (same
     * weights at the end), and {@code metrics.jsonl} is rewritten from the checkpoint's history.
     * The output directory, if set, receives the new checkpoints; a later checkpoint already there
     * is overwritten as the run passes its epoch.
     *
     * @param model a model with a block of the checkpoint's architecture; its weights are replaced
     * @param checkpoint the checkpoint to continue from
     * @return the report of the whole run, epochs before the checkpoint included
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the checkpoint belongs to another specification or
     *     architecture
     * @throws IllegalStateException if the checkpoint's run was complete
     * @throws UncheckedIOException if the checkpoint is missing, corrupt or unreadable (the message
     *     names the file and the other checkpoints beside it)
     */
    public TrainingReport resume(Model model, Path checkpoint) {
        requireNonNull(model, "model");
        requireNonNull(checkpoint, "checkpoint");
        return run(model, checkpoint);
    }

    /**
     * Where the last checkpoint of a run lives.
     *
     * @param outputDirectory the run's output directory
     * @return {@code outputDirectory/checkpoints/last.ckpt}
     */
    public static Path lastCheckpoint(Path outputDirectory) {
        return RunDirectory.lastCheckpoint(outputDirectory);
    }

    /**
     * Reads a run's {@code metrics.jsonl}: the metrics of every epoch it logged, in order. Useful
     * to gather runs made by other processes, or to plot a run that is still going.
     *
     * @param outputDirectory the run's output directory
     * @return the epochs' metrics, one per line of the log
     * @throws NullPointerException if {@code outputDirectory} is null
     * @throws UncheckedIOException if the log is missing or unreadable, naming the file
     * @throws IllegalArgumentException if a line is not a metrics object, naming the line
     */
    public static List<EpochMetrics> readMetricsLog(Path outputDirectory) {
        return RunDirectory.readMetricsLog(outputDirectory);
    }

    /**
     * Where the best checkpoint (by robust validation accuracy) of a run lives.
     *
     * @param outputDirectory the run's output directory
     * @return {@code outputDirectory/checkpoints/best.ckpt}
     */
    public static Path bestCheckpoint(Path outputDirectory) {
        return RunDirectory.bestCheckpoint(outputDirectory);
    }

    /**
     * Loads the weights and BatchNorm statistics of a checkpoint into a model, for evaluation or
     * inference.
     *
     * @param checkpoint a checkpoint file written by this trainer
     * @param model a model with a block of the checkpoint's architecture
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the model has no block
     * @throws UncheckedIOException if the file is missing, unreadable, or does not fit the block
     */
    public static void loadWeights(Path checkpoint, Model model) {
        requireNonNull(checkpoint, "checkpoint");
        requireNonNull(model, "model");
        Block block = blockOf(model);
        try {
            Checkpoint.loadParameters(checkpoint, block, model.getNDManager());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The output directory, or {@link RunDirectory#NONE} when there is none. */
    private RunDirectory directory() {
        return outputDirectory().map(RunDirectory::at).orElse(RunDirectory.NONE);
    }

    private static Block blockOf(Model model) {
        Block block = model.getBlock();
        checkArgument(block != null, "model.block must be set but was null: call setBlock(..)");
        return block;
    }

    private TrainingReport run(Model model, Path resumeFrom) {
        Block block = blockOf(model);
        long started = System.nanoTime();
        RunDirectory output = directory();
        output.removeOrphans();
        RunState state = resumeFrom == null ? null : RunDirectory.readState(resumeFrom, spec);
        Device runDevice = device != null ? device : model.getNDManager().getDevice();
        Engine engine = model.getNDManager().getEngine();
        OptimizerSpec optimizerSpec = spec.optimizer();
        LoopLearningRate learningRate = new LoopLearningRate(optimizerSpec.learningRate());
        Optimizer base = Optimizers.create(optimizerSpec, learningRate);
        AwpOptimizer awp = AwpOptimizer.wrap(base, spec.weightPerturbation());
        if (state != null) {
            loadParameters(resumeFrom, block, model.getNDManager());
        } else {
            engine.setRandomSeed(RunSeeds.initialization(spec.seed()));
        }
        DefaultTrainingConfig config =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(awp)
                        .optDevices(new Device[] {runDevice})
                        .addTrainingListeners(djlListeners.toArray(new TrainingListener[0]));
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(new Shape(1).addAll(trainData.inputShape()));
            if (state != null) {
                Optimizers.restore(resumeFrom, base, block, trainer.getManager());
            }
            return new Run(
                            model,
                            trainer,
                            awp,
                            base,
                            learningRate,
                            state,
                            runDevice,
                            started,
                            output)
                    .execute();
        }
    }

    /**
     * The collapse rule of {@link DivergencePolicy}: robust accuracy at most {@code chance +
     * margin} after the best so far reached {@code chance + 3 × margin}.
     */
    static boolean collapsed(Accuracy best, Accuracy current, int numClasses, double margin) {
        double chance = 1.0 / numClasses;
        return best.value() >= chance + 3 * margin && current.value() <= chance + margin;
    }

    /** The catastrophic-overfitting rule: FGSM accuracy above PGD accuracy by more than the gap. */
    static boolean catastrophicOverfitting(Accuracy fgsm, Accuracy pgd, double gap) {
        return gap > 0 && fgsm.value() - pgd.value() > gap;
    }

    private static void loadParameters(Path file, Block block, NDManager manager) {
        try {
            Checkpoint.loadParameters(file, block, manager);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The state of one run: what changes from epoch to epoch. */
    private final class Run {
        private final RunDirectory output;
        private final Model model;
        private final Trainer trainer;
        private final AwpOptimizer awp;
        private final Optimizer base;
        private final LoopLearningRate learningRate;
        private final Engine engine;
        private final Map<String, String> environment;
        private final int firstEpoch;
        private final double secondsBefore;
        private final long started;
        private final RunEvents events;
        private final CheckpointWriter checkpoints;
        private RunState state;

        Run(
                Model model,
                Trainer trainer,
                AwpOptimizer awp,
                Optimizer base,
                LoopLearningRate learningRate,
                RunState start,
                Device device,
                long started,
                RunDirectory output) {
            this.output = output;
            this.model = model;
            this.trainer = trainer;
            this.awp = awp;
            this.base = base;
            this.learningRate = learningRate;
            this.engine = trainer.getManager().getEngine();
            this.started = started;
            this.environment = Map.copyOf(Environment.describe(engine, device));
            this.state = start == null ? RunState.initial() : start;
            this.firstEpoch = state.nextEpoch();
            this.secondsBefore = state.elapsedSeconds();
            this.events = new RunEvents(spec, eventListeners);
            this.checkpoints =
                    new CheckpointWriter(
                            spec, output, events, model.getBlock(), base, trainer.getManager());
        }

        TrainingReport execute() {
            RobustnessProbe probe =
                    new RobustnessProbe(
                            spec.evaluation(),
                            trainData,
                            validationData,
                            spec.batchSize(),
                            spec.seed(),
                            spec.divergence().catastrophicOverfittingGap() > 0);
            TrainingPass pass =
                    new TrainingPass(
                            spec,
                            trainData,
                            augmentation,
                            trainer,
                            awp,
                            learningRate,
                            progress,
                            TrainingObjectives.bind(spec.objective()),
                            InputAttacks.bind(spec.attack()));
            output.startMetricsLog(state.history());
            TrainingStarted startedEvent =
                    TrainingStarted.builder()
                            .training(spec)
                            .firstEpoch(firstEpoch)
                            .environment(environment)
                            .augmentation(augmentation.describe())
                            .build();
            events.started(
                    startedEvent,
                    "Training "
                            + spec.epochs()
                            + " epochs from epoch "
                            + (firstEpoch + 1)
                            + " on "
                            + environment.get("device")
                            + " ("
                            + trainData.size()
                            + " images, batch "
                            + spec.batchSize()
                            + "), seed "
                            + spec.seed()
                            + "; augmentation: "
                            + augmentation.describe()
                            + "; optimizer: "
                            + spec.optimizer().describe()
                            + "; BatchNorm forwards: "
                            + spec.batchNormForwards());
            try (LastGoodState good =
                    new LastGoodState(
                            model.getBlock(),
                            trainer.getManager(),
                            this::saveOptimizerState,
                            this::loadOptimizerState)) {
                if (!LastGoodState.allFinite(model.getBlock())) {
                    throw new IllegalStateException(
                            "the model's parameters must be finite at the start but some were NaN"
                                    + " or infinite; initialize the model again or load a good"
                                    + " checkpoint");
                }
                good.take(state);
                int epoch = firstEpoch;
                while (epoch < spec.epochs()) {
                    Failure failure;
                    try {
                        runEpoch(epoch, probe, pass);
                        good.take(state);
                        epoch++;
                        continue;
                    } catch (Failure e) {
                        failure = e;
                    } catch (ArithmeticException e) {
                        failure =
                                new Failure(
                                        WarningKind.DIVERGENCE,
                                        epoch,
                                        "training diverged at epoch "
                                                + (epoch + 1)
                                                + ": "
                                                + e.getMessage(),
                                        e);
                    }
                    epoch = rollBack(good, failure);
                }
            }
            TrainingReport report = report();
            events.finished(report);
            return report;
        }

        private void runEpoch(int epoch, RobustnessProbe probe, TrainingPass pass) {
            long epochStart = System.nanoTime();
            TrainingPass.Totals totals = pass.run(epoch, state.learningRateFactor());
            trainer.notifyListeners(listener -> listener.onEpoch(trainer));
            if (!LastGoodState.allFinite(model.getBlock())) {
                throw new Failure(
                        WarningKind.DIVERGENCE,
                        epoch,
                        "training diverged: some parameters were NaN or infinite after epoch "
                                + (epoch + 1),
                        null);
            }
            EpochMetrics.Builder metrics =
                    EpochMetrics.builder()
                            .epoch(epoch)
                            .learningRate(totals.lastRate())
                            .trainLoss(totals.meanLoss())
                            .trainAdversarialAccuracy(
                                    Accuracy.of((int) totals.correct(), (int) totals.seen()))
                            .awpActive(totals.perturbed());
            if (spec.evaluation().evaluatesAt(epoch, spec.epochs())) {
                RobustnessProbe.Result result = probe.measure(trainer);
                checkCollapse(epoch, result.robust());
                result.fgsm().ifPresent(fgsm -> checkCatastrophicOverfitting(epoch, fgsm, result));
                metrics.cleanAccuracy(result.clean())
                        .robustAccuracy(result.robust())
                        .trainRobustAccuracy(result.trainRobust());
            }
            EpochMetrics done =
                    metrics.elapsedSeconds((System.nanoTime() - epochStart) / 1e9).build();
            state = state.afterEpoch(done, elapsedSeconds());
            if (done.robustAccuracy().isPresent()) {
                events.evaluationCompleted(done);
            }
            checkpoints.afterEpoch(state);
            output.appendMetrics(done);
            events.epochEnded(done);
        }

        /** Fails the epoch if robust accuracy fell to chance after having been above it. */
        private void checkCollapse(int epoch, Accuracy robust) {
            DivergencePolicy policy = spec.divergence();
            if (!policy.detectCollapse() || state.best().isEmpty()) {
                return;
            }
            RunState.Best best = state.best().get();
            double chance = 1.0 / trainData.numClasses();
            if (collapsed(
                    best.robustAccuracy(),
                    robust,
                    trainData.numClasses(),
                    policy.collapseMargin())) {
                throw new Failure(
                        WarningKind.ROBUST_ACCURACY_COLLAPSE,
                        epoch,
                        String.format(
                                Locale.ROOT,
                                "robust accuracy collapsed to %.3f at epoch %d (chance %.3f; best"
                                        + " %.3f at epoch %d)",
                                robust.value(),
                                epoch + 1,
                                chance,
                                best.robustAccuracy().value(),
                                best.epoch() + 1),
                        null);
            }
        }

        private void checkCatastrophicOverfitting(
                int epoch, Accuracy fgsm, RobustnessProbe.Result result) {
            double gap = fgsm.value() - result.robust().value();
            if (catastrophicOverfitting(
                    fgsm, result.robust(), spec.divergence().catastrophicOverfittingGap())) {
                warn(
                        epoch,
                        WarningKind.CATASTROPHIC_OVERFITTING,
                        String.format(
                                Locale.ROOT,
                                "catastrophic overfitting at epoch %d: FGSM accuracy %.3f is %.3f"
                                        + " above %s accuracy %.3f on the validation subset;"
                                        + " single-step attacks no longer find adversarial"
                                        + " examples (use a multi-step training attack, a random"
                                        + " start, or a smaller step)",
                                epoch + 1,
                                fgsm.value(),
                                gap,
                                spec.evaluation().attack().name(),
                                result.robust().value()));
            }
        }

        /**
         * Restores the last good state after a failure and returns the epoch to continue with, or
         * throws {@link TrainingDivergedException} when the policy says stop.
         */
        private int rollBack(LastGoodState good, Failure failure) {
            DivergencePolicy policy = spec.divergence();
            warn(failure.epoch, failure.kind, failure.getMessage());
            good.restore();
            state = state.rolledBackTo(good.state());
            int retries = state.retries();
            boolean retry =
                    policy.action() == DivergenceAction.RETRY_WITH_LOWER_LEARNING_RATE
                            && retries < policy.maxRetries();
            String restored =
                    good.state().nextEpoch() == 0
                            ? "restored the initial weights"
                            : "restored the weights after epoch " + good.state().nextEpoch();
            if (!retry) {
                String message =
                        failure.getMessage()
                                + "; "
                                + restored
                                + " and stopped"
                                + (retries > 0 ? " after " + retries + " retries" : "")
                                + "; lower the learning rate, check the data and the model, or use"
                                + " DivergencePolicy.retryWithLowerLearningRate()";
                warn(failure.epoch, WarningKind.ROLLBACK, message);
                throw new TrainingDivergedException(
                        message, failure.kind, report(), failure.getCause());
            }
            state = state.retried(policy.learningRateFactor());
            warn(
                    failure.epoch,
                    WarningKind.ROLLBACK,
                    String.format(
                            Locale.ROOT,
                            "%s; retry %d of %d from epoch %d with the learning rate × %s",
                            restored,
                            state.retries(),
                            policy.maxRetries(),
                            good.state().nextEpoch() + 1,
                            state.learningRateFactor()));
            return good.state().nextEpoch();
        }

        private void warn(int epoch, WarningKind kind, String message) {
            events.warning(epoch, kind, message);
        }

        private NDList saveOptimizerState(NDManager manager) {
            return base instanceof ResumableOptimizer
                    ? ((ResumableOptimizer) base).saveState(model.getBlock(), manager)
                    : null;
        }

        private void loadOptimizerState(NDList state) {
            if (base instanceof ResumableOptimizer && state != null) {
                ((ResumableOptimizer) base).loadState(model.getBlock(), state);
            }
        }

        private double elapsedSeconds() {
            return secondsBefore + (System.nanoTime() - started) / 1e9;
        }

        private TrainingReport report() {
            return state.at(elapsedSeconds()).report(spec, environment, augmentation.describe());
        }
    }

    /** Why an epoch failed its checks; caught by the run's loop, never leaves it. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final WarningKind kind;
        final int epoch;

        Failure(WarningKind kind, int epoch, String message, Throwable cause) {
            super(message, cause);
            this.kind = kind;
            this.epoch = epoch;
        }
    }

    /**
     * Configures an {@link AdversarialTrainer}. {@code set*} methods are required, {@code opt*}
     * methods optional.
     */
    public static final class Builder {
        private final AdversarialTraining spec;
        private ClassificationData trainData;
        private ClassificationData validationData;
        private Path outputDirectory;
        private Augmentation augmentation = Augmentation.none();
        private Device device;
        private Progress progress = new ProgressBar();
        private boolean summary = true;
        private boolean overwrite;
        private final List<TrainingEventListener> eventListeners = new ArrayList<>();
        private final List<TrainingListener> djlListeners = new ArrayList<>();

        private Builder(AdversarialTraining spec) {
            this.spec = spec;
        }

        /**
         * Sets the training split. Required.
         *
         * @param trainData the training images; the fixed training subset of the evaluation plan is
         *     drawn from it
         * @return this builder
         * @throws NullPointerException if {@code trainData} is null
         */
        public Builder setTrainData(ClassificationData trainData) {
            this.trainData = requireNonNull(trainData, "trainData");
            return this;
        }

        /**
         * Sets the validation split, from which the evaluation plan's fixed subset is drawn.
         * Required.
         *
         * @param validationData the validation images
         * @return this builder
         * @throws NullPointerException if {@code validationData} is null
         */
        public Builder setValidationData(ClassificationData validationData) {
            this.validationData = requireNonNull(validationData, "validationData");
            return this;
        }

        /**
         * Sets the directory of {@code metrics.jsonl} and {@code checkpoints/}, created if needed.
         * Default: none, so no metrics log, no checkpoints and no resume.
         *
         * @param outputDirectory the directory
         * @return this builder
         * @throws NullPointerException if {@code outputDirectory} is null
         */
        public Builder optOutputDirectory(Path outputDirectory) {
            this.outputDirectory = requireNonNull(outputDirectory, "outputDirectory");
            return this;
        }

        /**
         * Sets the training augmentation. Default: {@link Augmentation#none()}, for every dataset:
         * no crop or flip is applied unless asked for (a horizontal flip does not preserve the
         * label of a digit, and a CIFAR-10 crop is not part of other data). The CIFAR-10 recipes of
         * the paper used {@link Augmentation#reflectPadCropFlip()} (AT-AWP) and {@link
         * Augmentation#zeroPadCropFlip()} (TRADES-AWP, MART-AWP). The augmentation in use is in the
         * run's INFO start line, {@link TrainingStarted#augmentation()} and {@link
         * TrainingReport#augmentation()}. Data other than an {@link ImageDataset} may accept only
         * {@link Augmentation#none()} (add transforms to your own dataset instead).
         *
         * @param augmentation the augmentation, {@link Augmentation#none()} for none
         * @return this builder
         * @throws NullPointerException if {@code augmentation} is null
         */
        public Builder optAugmentation(Augmentation augmentation) {
            this.augmentation = requireNonNull(augmentation, "augmentation");
            return this;
        }

        /**
         * Sets the device to train on. Default: the device of the model's manager.
         *
         * @param device the device
         * @return this builder
         * @throws NullPointerException if {@code device} is null
         */
        public Builder optDevice(Device device) {
            this.device = requireNonNull(device, "device");
            return this;
        }

        /**
         * Turns the console progress bar and the per-epoch summary line on or off. Default on.
         *
         * @param progressBar whether to print progress to {@code System.out}
         * @return this builder
         * @deprecated use {@link #optNoProgress()} (off), or {@link #optProgress(Progress)} and
         *     {@link #optSummary(boolean)}, named as in {@code RobustnessEvaluator.Builder}
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Builder optProgressBar(boolean progressBar) {
            return progressBar ? optProgress(new ProgressBar()).optSummary(true) : optNoProgress();
        }

        /**
         * Sets where per-batch progress goes: reset at the start of each epoch to the epoch's batch
         * count, updated after each step with the running loss and adversarial accuracy. Default: a
         * DJL {@link ProgressBar} on standard output. The same option as {@code
         * RobustnessEvaluator.Builder.optProgress}.
         *
         * @param progress the progress
         * @return this builder
         * @throws NullPointerException if {@code progress} is null
         */
        public Builder optProgress(Progress progress) {
            this.progress = requireNonNull(progress, "progress");
            return this;
        }

        /**
         * Turns console output off: no progress bar and no per-epoch summary line (events, the
         * metrics log and SLF4J logging are unaffected). The same option as {@code
         * RobustnessEvaluator.Builder.optNoProgress}.
         *
         * @return this builder
         */
        public Builder optNoProgress() {
            this.progress = null;
            this.summary = false;
            return this;
        }

        /**
         * Turns the per-epoch summary line on standard output ({@link EpochSummary}) on or off,
         * independently of the progress bar. Default on.
         *
         * @param summary whether to print one line per epoch
         * @return this builder
         */
        public Builder optSummary(boolean summary) {
            this.summary = summary;
            return this;
        }

        /**
         * Lets {@link #fit(Model)} start a new run in an output directory that holds a previous
         * run's {@code metrics.jsonl} or checkpoints, deleting them. Default false: {@code fit}
         * refuses such a directory, so that a finished or interrupted run is never overwritten by
         * accident ({@link #resume(Model)} continues it instead).
         *
         * @param overwrite whether {@code fit} may replace a previous run
         * @return this builder
         */
        public Builder optOverwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /**
         * Adds awp's listeners of the run's events ({@link TrainingEventListener}: training
         * started, evaluation completed, epoch ended, checkpoint written, warning, training
         * finished). For DJL's own {@link TrainingListener}s, which the DJL trainer calls per batch
         * and per epoch, use {@link #addTrainingListeners}.
         *
         * @param listeners the listeners, called in the order added
         * @return this builder
         * @throws NullPointerException if a listener is null
         */
        public Builder addEventListeners(TrainingEventListener... listeners) {
            for (TrainingEventListener listener : listeners) {
                this.eventListeners.add(requireNonNull(listener, "listener"));
            }
            return this;
        }

        /**
         * Adds awp's listeners of the run's events.
         *
         * @param listeners the listeners, called in the order added
         * @return this builder
         * @throws NullPointerException if a listener is null
         * @deprecated renamed {@link #addEventListeners(TrainingEventListener...)}, so that it
         *     reads apart from {@link #addTrainingListeners(TrainingListener...)} (DJL's
         *     listeners); this forwarding method will be removed in the next release.
         */
        @Deprecated
        public Builder addListeners(TrainingEventListener... listeners) {
            return addEventListeners(listeners);
        }

        /**
         * Adds DJL training listeners to the DJL trainer the run creates. For awp's listeners of
         * the run's events, use {@link #addEventListeners}.
         *
         * @param listeners the listeners
         * @return this builder
         * @throws NullPointerException if a listener is null
         */
        public Builder addTrainingListeners(TrainingListener... listeners) {
            for (TrainingListener listener : listeners) {
                this.djlListeners.add(requireNonNull(listener, "listener"));
            }
            return this;
        }

        /**
         * Builds the trainer.
         *
         * @return the trainer
         * @throws IllegalStateException if the training or validation data was not set
         * @throws IllegalArgumentException if the datasets have different numbers of classes
         */
        public AdversarialTrainer build() {
            if (trainData == null) {
                throw new IllegalStateException("trainData must be set: call setTrainData(..)");
            }
            if (validationData == null) {
                throw new IllegalStateException(
                        "validationData must be set: call setValidationData(..)");
            }
            checkArgument(
                    validationData.inputShape().equals(trainData.inputShape()),
                    "validationData.inputShape must be trainData's (%s) but was %s",
                    trainData.inputShape(),
                    validationData.inputShape());
            checkArgument(
                    validationData.numClasses() == trainData.numClasses(),
                    "validationData.numClasses must be trainData's (%s) but was %s",
                    trainData.numClasses(),
                    validationData.numClasses());
            return new AdversarialTrainer(this);
        }
    }
}
