package dev.awp.djl.training;

import ai.djl.engine.Engine;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Progress;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import dev.awp.training.AdversarialTraining;
import java.util.Locale;

/**
 * One epoch's pass over the training batches for {@link AdversarialTrainer}: for batch {@code i} of
 * epoch {@code e}, the schedule's learning rate (times the divergence policy's factor) is handed to
 * the optimizer, the engine's generator is re-seeded from {@code (seed, e, i)}, {@link
 * AwpEasyTrain#trainStep} takes the step with the specification's BatchNorm forwards, the {@link
 * AveragedWeights} are updated from the restored weights, and progress is reported. The order and
 * augmentation of the batches come from the data, seeded by {@code (seed, e)}.
 */
final class TrainingPass {

    /** What the pass measured. */
    record Totals(double lossSum, long correct, long seen, boolean perturbed, double lastRate) {

        double meanLoss() {
            return lossSum / seen;
        }

        /** The epoch's training metrics, without evaluation and time. */
        EpochMetrics.Builder metrics(int epoch) {
            return EpochMetrics.builder()
                    .epoch(epoch)
                    .learningRate(lastRate)
                    .trainLoss(meanLoss())
                    .trainAdversarialAccuracy(Accuracy.of((int) correct, (int) seen))
                    .awpActive(perturbed);
        }
    }

    private final AdversarialTraining spec;
    private final ClassificationData data;
    private final Augmentation augmentation;
    private final Trainer trainer;
    private final AwpOptimizer awp;
    private final LoopLearningRate learningRate;
    private final Engine engine;
    private final Progress progress;
    private final TrainingObjective objective;
    private final InputAttack attack;
    private final AveragedWeights averaged;

    TrainingPass(
            AdversarialTraining spec,
            ClassificationData data,
            Augmentation augmentation,
            Trainer trainer,
            AwpOptimizer awp,
            LoopLearningRate learningRate,
            Progress progress,
            TrainingObjective objective,
            InputAttack attack,
            AveragedWeights averaged) {
        this.spec = spec;
        this.data = data;
        this.augmentation = augmentation;
        this.trainer = trainer;
        this.awp = awp;
        this.learningRate = learningRate;
        this.engine = trainer.getManager().getEngine();
        this.progress = progress;
        this.objective = objective;
        this.attack = attack;
        this.averaged = averaged;
    }

    /**
     * Trains one epoch.
     *
     * @param epoch the 0-based epoch
     * @param learningRateFactor the divergence policy's factor on the schedule's rate
     * @return the totals; {@link AwpEasyTrain#trainStep} throws before a non-finite loss could be
     *     counted
     */
    Totals run(int epoch, double learningRateFactor) {
        awp.setEpoch(epoch);
        int batches = data.numBatches(spec.batchSize());
        progress.reset("Epoch " + (epoch + 1) + "/" + spec.epochs(), batches);
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        boolean perturbed = false;
        double lastRate = 0;
        int iteration = 0;
        for (Batch batch :
                data.trainingBatches(
                        trainer.getManager(), spec.batchSize(), spec.seed(), epoch, augmentation)) {
            BatchResult result;
            try (batch) {
                lastRate =
                        spec.schedule()
                                        .learningRate(
                                                spec.optimizer().learningRate(),
                                                epoch,
                                                iteration,
                                                batches,
                                                spec.epochs())
                                * learningRateFactor;
                learningRate.set(lastRate);
                engine.setRandomSeed(RunSeeds.training(spec.seed(), epoch, iteration));
                result =
                        AwpEasyTrain.trainStep(
                                trainer, awp, attack, objective, batch, spec.batchNormForwards());
            }
            // the step has restored w: the average never sees w + v
            averaged.afterStep(epoch, iteration, batches);
            lossSum += result.loss() * result.size();
            correct += result.adversarialCorrect();
            seen += result.size();
            perturbed |= result.perturbed();
            iteration++;
            progress.update(
                    iteration - 1,
                    String.format(
                            Locale.ROOT,
                            "loss %.4f, adv acc %.3f",
                            lossSum / seen,
                            (double) correct / seen));
        }
        return new Totals(lossSum, correct, seen, perturbed, lastRate);
    }
}
