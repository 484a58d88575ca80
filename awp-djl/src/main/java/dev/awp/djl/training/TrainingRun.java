package dev.awp.djl.training;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Progress;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.data.MixedSource;
import dev.awp.djl.internal.Environment;
import dev.awp.djl.internal.StatisticsProxy;
import dev.awp.djl.objective.ObjectiveLoss;
import dev.awp.djl.objective.TrainingObjectives;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.event.TrainingEventListener;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.AveragingKind;
import dev.awp.training.ExtraSource;
import dev.awp.training.OptimizerSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of an {@link AdversarialTrainer}: sets up DJL (the optimizer wrapped in an {@link
 * AwpOptimizer}, the {@link DefaultTrainingConfig}, the initialized {@link Trainer}, and on resume
 * the checkpoint's weights and optimizer state), then wires the training pass, divergence guard,
 * checkpoint writer and events into an {@link EpochLoop} and runs it. Holds the trainer's
 * configuration so that {@link AdversarialTrainer} keeps only its public API.
 */
final class TrainingRun {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private final AdversarialTraining spec;
    private final ClassificationData trainData;
    private final ClassificationData validationData;
    private final ClassificationData extraData;
    private final Map<String, ClassificationData> extraSources;
    private final Augmentation augmentation;
    private final Device device;
    private final Progress progress;
    private final List<TrainingEventListener> eventListeners;
    private final List<TrainingListener> djlListeners;

    TrainingRun(AdversarialTrainer.Builder builder) {
        this.spec = builder.spec;
        this.trainData = builder.trainData;
        this.validationData = builder.validationData;
        this.extraData = builder.extraData;
        this.extraSources = Map.copyOf(builder.extraSources);
        this.augmentation = builder.augmentation;
        this.device = builder.device;
        this.progress = builder.progress;
        List<TrainingEventListener> all = new ArrayList<>();
        if (builder.summary) {
            all.add(EpochSummary.toStandardOutput());
        }
        all.addAll(builder.eventListeners);
        this.eventListeners = List.copyOf(all);
        this.djlListeners = List.copyOf(builder.djlListeners);
    }

    /**
     * Checks the builder's data before a trainer is built.
     *
     * @throws IllegalStateException if the training or validation data was not set
     * @throws IllegalArgumentException if the datasets have different input shapes or numbers of
     *     classes
     */
    static void checkData(ClassificationData trainData, ClassificationData validationData) {
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
    }

    /**
     * Trains the model's block from the start or from a checkpoint to the end of the run.
     *
     * @param model the model, borrowed
     * @param block the model's block
     * @param directory the output directory, or {@link RunDirectory#NONE}
     * @param resumeFrom the checkpoint to resume from, or null to start at epoch 0
     * @return the report of the whole run
     */
    TrainingReport run(Model model, Block block, RunDirectory directory, Path resumeFrom) {
        long started = System.nanoTime();
        directory.removeOrphans();
        RunState start =
                resumeFrom == null ? RunState.initial() : RunDirectory.readState(resumeFrom, spec);
        Device runDevice = device != null ? device : model.getNDManager().getDevice();
        Engine engine = model.getNDManager().getEngine();
        OptimizerSpec optimizerSpec = spec.optimizer();
        LoopLearningRate learningRate = new LoopLearningRate(optimizerSpec.learningRate());
        Optimizer base = Optimizers.create(optimizerSpec, learningRate);
        AwpOptimizer awp = AwpOptimizer.wrap(base, spec.weightPerturbation());
        try (AveragedWeights averaged =
                AveragedWeights.of(spec.weightAveraging(), block, model.getNDManager())) {
            if (resumeFrom != null) {
                // with averaging, the model entry holds the average and raw.params the weights
                loadParameters(resumeFrom, block, model.getNDManager());
                averaged.start();
                if (averaged.isActive()) {
                    loadRawParameters(resumeFrom, block, model.getNDManager());
                }
            } else {
                engine.setRandomSeed(RunSeeds.initialization(spec.seed()));
            }
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(ObjectiveLoss.of(spec.objective()))
                            .optOptimizer(awp)
                            .optDevices(new Device[] {runDevice})
                            .addTrainingListeners(djlListeners.toArray(new TrainingListener[0]));
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1).addAll(trainData.inputShape()));
                if (resumeFrom != null) {
                    Optimizers.restore(resumeFrom, base, block, trainer.getManager());
                } else {
                    averaged.start();
                }
                Map<String, String> environment =
                        Map.copyOf(
                                Environment.describe(trainer.getManager().getEngine(), runDevice));
                ClassificationData batches = trainingBatches();
                // SWA: the averaged weights get their own BatchNorm statistics, recomputed over the
                // epoch's training batches, as torch.optim.swa_utils.update_bn(train_loader, ..)
                averaged.recomputeStatisticsWith(
                        epoch ->
                                BatchNormStatistics.recompute(
                                        block,
                                        batches.trainingBatches(
                                                trainer.getManager(),
                                                spec.batchSize(),
                                                spec.seed(),
                                                epoch,
                                                augmentation),
                                        trainer.getManager()));
                if (spec.weightAveraging().kind() == AveragingKind.SWA
                        && block instanceof StatisticsProxy) {
                    LOG.warn(
                            "SWA cannot recompute the BatchNorm statistics of a TorchScript model"
                                    + " (its buffers are not reachable): the averaged model uses"
                                    + " the raw model's");
                }
                String extra = batches == trainData ? "none" : batches.name();
                Function<RunState, TrainingReport> report =
                        state ->
                                state.report(spec, environment, augmentation.describe())
                                        .withExtraData(extra);
                RunEvents events = new RunEvents(spec, eventListeners);
                TrainingPass pass =
                        new TrainingPass(
                                spec,
                                batches,
                                augmentation,
                                trainer,
                                awp,
                                learningRate,
                                progress,
                                TrainingObjectives.bind(spec.objective()),
                                InputAttacks.bind(spec.attack()),
                                averaged);
                directory.startMetricsLog(start.history());
                events.started(start, environment, augmentation.describe(), extra, batches.size());
                try (DivergenceGuard guard =
                        new DivergenceGuard(
                                spec,
                                trainData.numClasses(),
                                block,
                                trainer.getManager(),
                                base,
                                events,
                                report)) {
                    CheckpointWriter checkpoints =
                            new CheckpointWriter(
                                    spec,
                                    directory,
                                    events,
                                    block,
                                    base,
                                    trainer.getManager(),
                                    averaged);
                    EpochLoop loop =
                            new EpochLoop(
                                    spec,
                                    trainer,
                                    pass,
                                    probe(),
                                    guard,
                                    checkpoints,
                                    directory,
                                    events,
                                    averaged,
                                    started,
                                    start.elapsedSeconds());
                    TrainingReport result = report.apply(loop.run(start));
                    // the model the user gets: the average, when the run averages
                    averaged.export();
                    events.finished(result);
                    return result;
                }
            }
        }
    }

    /** The training data, mixed with the extra data when there is some. */
    private ClassificationData trainingBatches() {
        return mixed(spec, trainData, extraData, extraSources);
    }

    /**
     * The training data mixed as the specification says: with the single extra source of {@link
     * AdversarialTraining#extraDataFraction()}, or with its {@link
     * AdversarialTraining#extraSources()} and loss weights; the training data alone without extra
     * data.
     */
    private static ClassificationData mixed(
            AdversarialTraining spec,
            ClassificationData trainData,
            ClassificationData extraData,
            Map<String, ClassificationData> extraSources) {
        if (extraData != null) {
            return ClassificationData.mixed(trainData, extraData, spec.extraDataFraction());
        }
        if (spec.extraSources().isEmpty()) {
            return trainData;
        }
        List<MixedSource> sources = new ArrayList<>();
        for (ExtraSource source : spec.extraSources()) {
            sources.add(
                    new MixedSource(
                            extraSources.get(source.name()),
                            source.fraction(),
                            source.lossWeight()));
        }
        return ClassificationData.mixed(trainData, spec.labelledLossWeight(), sources);
    }

    /**
     * Checks that extra data is set exactly when the specification draws from it, and that it mixes
     * with the training data at the specification's batch size.
     *
     * @throws IllegalStateException if one is set without the other
     * @throws IllegalArgumentException if the data do not mix
     */
    static void checkExtraData(
            AdversarialTraining spec,
            ClassificationData trainData,
            ClassificationData extraData,
            Map<String, ClassificationData> extraSources) {
        if (spec.extraDataFraction() > 0 && extraData == null) {
            throw new IllegalStateException(
                    "extraData must be set when extraDataFraction > 0 (it is "
                            + spec.extraDataFraction()
                            + "): call optExtraData(..)");
        }
        if (spec.extraDataFraction() == 0 && extraData != null) {
            throw new IllegalStateException(
                    "extraDataFraction must be > 0 when extraData is set but was 0: set"
                            + " AdversarialTraining.extraDataFraction (0.5 for robust"
                            + " self-training)");
        }
        Set<String> listed = new LinkedHashSet<>();
        spec.extraSources().forEach(source -> listed.add(source.name()));
        for (String name : listed) {
            if (!extraSources.containsKey(name)) {
                throw new IllegalStateException(
                        "the data of extra source '"
                                + name
                                + "' must be set: call optExtraData(\""
                                + name
                                + "\", data)");
            }
        }
        for (String name : extraSources.keySet()) {
            if (!listed.contains(name)) {
                throw new IllegalStateException(
                        "extra source '"
                                + name
                                + "' is not in the specification's extraSources "
                                + listed
                                + ": add ExtraSource.of(\""
                                + name
                                + "\", fraction) or remove the data");
            }
        }
        ClassificationData mixed = mixed(spec, trainData, extraData, extraSources);
        if (mixed != trainData) {
            mixed.numBatches(spec.batchSize());
        }
    }

    private RobustnessProbe probe() {
        return new RobustnessProbe(
                spec.evaluation(),
                trainData,
                validationData,
                spec.batchSize(),
                spec.seed(),
                spec.divergence().catastrophicOverfittingGap() > 0);
    }

    /**
     * Loads a checkpoint's raw weights (those a run with weight averaging trains; the model entry
     * otherwise) into the block, its errors unchecked.
     */
    static void loadRawParameters(Path file, Block block, NDManager manager) {
        try {
            Checkpoint.loadRawParameters(file, block, manager);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Loads a checkpoint's weights into the block, its errors unchecked. */
    static void loadParameters(Path file, Block block, NDManager manager) {
        try {
            Checkpoint.loadParameters(file, block, manager);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
