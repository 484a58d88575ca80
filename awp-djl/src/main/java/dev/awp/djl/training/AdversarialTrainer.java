package dev.awp.djl.training;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.util.ProgressBar;
import ai.djl.util.Progress;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.internal.NoProgress;
import dev.awp.event.EpochEnded;
import dev.awp.event.TrainingEventListener;
import dev.awp.event.TrainingStarted;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.OptimizerKind;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>Each epoch trains every batch with {@link AwpEasyTrain#trainStep}, evaluates if the plan says
 * so, writes checkpoints and one line of {@code metrics.jsonl}, then sends {@link EpochEnded}; the
 * {@linkplain dev.awp.djl.training package overview} lists the steps.
 *
 * <h2>Output directory</h2>
 *
 * {@code metrics.jsonl} (one JSON object per epoch: epoch, learningRate, trainLoss,
 * trainAdversarialAccuracy, awpActive, elapsedSeconds, cleanAccuracy, robustAccuracy,
 * trainRobustAccuracy, robustGap; accuracies as {@code {correct, total, value}}) and {@code
 * checkpoints/}: {@code best.ckpt}, {@code last.ckpt}, {@code epoch-NNNN.ckpt} (1-based epoch
 * numbers), each checksummed and replaced atomically; a corrupt or foreign one fails with an error
 * naming it and the other checkpoints. {@link #loadWeights(Path, Model)} loads one's weights.
 *
 * <h2>Determinism and resume</h2>
 *
 * One seed, {@link AdversarialTraining#seed()}, decides the initialization, the data order, the
 * augmentation and every random start of the attacks (the engine is re-seeded before each batch
 * from the position in the run), so the same specification and data give the same metrics on the
 * same machine, and {@link #resume(Model)} — weights, BatchNorm statistics, optimizer state, epoch
 * and best-so-far from {@code last.ckpt} — ends with the same weights as an uninterrupted run. All
 * three {@link OptimizerKind}s save and restore their state by parameter name, with steps
 * bit-identical to DJL's optimizers.
 *
 * <h2>Events</h2>
 *
 * {@link TrainingEventListener}s added with {@link Builder#addEventListeners} receive the events in
 * the order their interface documents. DJL {@link TrainingListener}s added with {@link
 * Builder#addTrainingListeners} receive {@code onTrainingBegin} and {@code onTrainingEnd} from the
 * DJL trainer, {@code onTrainingBatch} after every step and {@code onEpoch} after every epoch's
 * training batches. The DJL trainer's loss is the objective's ({@link
 * dev.awp.djl.objective.ObjectiveLoss}), so DJL's loss evaluator reports the loss the step
 * minimized (TRADES or MART, not the cross-entropy of the adversarial logits); the predictions are
 * the adversarial logits, with the clean logits second for an objective that uses them.
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
    private final Path outputDirectory;
    private final boolean overwrite;
    private final TrainingRun run;

    private AdversarialTrainer(Builder builder) {
        this.spec = builder.spec;
        this.outputDirectory = builder.outputDirectory;
        this.overwrite = builder.overwrite;
        this.run = new TrainingRun(builder);
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
     *     place, and with {@link AdversarialTraining#weightAveraging()} replaced at the end by the
     *     average (the raw weights stay in the checkpoints, see {@link #loadRawWeights})
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
        Path last = lastCheckpoint(outputDirectory().orElseThrow(AdversarialTrainer::noDirectory));
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
     * inference: the model the run gives the user, i.e. the averaged weights when the run averaged
     * them ({@link AdversarialTraining#weightAveraging()}; {@link #loadRawWeights} loads the
     * others).
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
        TrainingRun.loadParameters(checkpoint, blockOf(model), model.getNDManager());
    }

    /**
     * Loads the raw weights of a checkpoint into a model: those the run trained, which differ from
     * the model {@link #loadWeights} loads when the run averaged its weights ({@link
     * AdversarialTraining#weightAveraging()}); the same weights otherwise.
     *
     * @param checkpoint a checkpoint file written by this trainer
     * @param model a model with a block of the checkpoint's architecture
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the model has no block
     * @throws UncheckedIOException if the file is missing, unreadable, or does not fit the block
     */
    public static void loadRawWeights(Path checkpoint, Model model) {
        requireNonNull(checkpoint, "checkpoint");
        requireNonNull(model, "model");
        TrainingRun.loadRawParameters(checkpoint, blockOf(model), model.getNDManager());
    }

    private static IllegalStateException noDirectory() {
        return new IllegalStateException(
                "resume needs an output directory: set optOutputDirectory(..) to the directory of"
                        + " the interrupted run");
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
        return run.run(model, blockOf(model), directory(), resumeFrom);
    }

    /**
     * Configures an {@link AdversarialTrainer}. {@code set*} methods are required, {@code opt*}
     * methods optional.
     */
    public static final class Builder {
        final AdversarialTraining spec;
        ClassificationData trainData;
        ClassificationData validationData;
        ClassificationData extraData;
        final Map<String, ClassificationData> extraSources = new LinkedHashMap<>();
        Path outputDirectory;
        Augmentation augmentation = Augmentation.none();
        Device device;
        Progress progress = new ProgressBar();
        boolean summary = true;
        boolean overwrite;
        final List<TrainingEventListener> eventListeners = new ArrayList<>();
        final List<TrainingListener> djlListeners = new ArrayList<>();

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
         * Sets the extra data (pseudo-labelled or generated images) mixed into every training batch
         * at {@link AdversarialTraining#extraDataFraction()}, with {@link
         * ClassificationData#mixed}. Required when that fraction is above 0, refused otherwise.
         * Default: none.
         *
         * @param extraData the extra labelled examples
         * @return this builder
         * @throws NullPointerException if {@code extraData} is null
         */
        public Builder optExtraData(ClassificationData extraData) {
            this.extraData = requireNonNull(extraData, "extraData");
            return this;
        }

        /**
         * Sets the data of the extra source named {@code name} in {@link
         * AdversarialTraining#extraSources()}: the sources are mixed into every training batch at
         * their fractions, with their loss weights, by {@link ClassificationData#mixed(
         * ClassificationData, double, List)}. Required for every listed source, refused for a name
         * the specification does not list. Default: none.
         *
         * @param name the source's name in the specification
         * @param data the source's labelled examples
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code name} was already set
         */
        public Builder optExtraData(String name, ClassificationData data) {
            requireNonNull(name, "name");
            requireNonNull(data, "data");
            if (extraSources.containsKey(name)) {
                throw new IllegalArgumentException(
                        "extra source '" + name + "' is already set: set each source once");
            }
            extraSources.put(name, data);
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
            this.progress = NoProgress.INSTANCE;
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
         * @throws IllegalStateException if the training or validation data was not set, or extra
         *     data is set without {@link AdversarialTraining#extraDataFraction()} or the other way
         *     round
         * @throws IllegalArgumentException if the datasets have different numbers of classes
         */
        public AdversarialTrainer build() {
            TrainingRun.checkData(trainData, validationData);
            TrainingRun.checkExtraData(spec, trainData, extraData, extraSources);
            return new AdversarialTrainer(this);
        }
    }
}
