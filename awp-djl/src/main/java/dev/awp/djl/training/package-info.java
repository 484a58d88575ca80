/**
 * Adversarial training on DJL.
 *
 * <ul>
 *   <li>{@link dev.awp.djl.training.AdversarialTrainer} runs a whole {@link
 *       dev.awp.training.AdversarialTraining} specification: learning-rate schedule, AWP warm-up,
 *       evaluation on fixed seeded subsets (with the train–validation robust gap), atomic
 *       checkpoints, exact resume, events and a {@code metrics.jsonl} log;
 *   <li>{@link dev.awp.djl.training.AwpEasyTrain} mirrors DJL's {@code EasyTrain} ({@code fit},
 *       {@code trainBatch}, {@code validateBatch}, {@code evaluateDataset}) with an attack, an
 *       objective and an AWP optimizer; {@link dev.awp.djl.training.AwpEasyTrain#trainStep} is one
 *       whole step: attack → AWP perturbation → forward and backward of the objective at {@code w +
 *       v} → optimizer step → restore, for any objective and any attack, for loops of your own.
 * </ul>
 *
 * <h2>One epoch {@code e} of {@code E} of an {@code AdversarialTrainer}, with {@code N} batches
 * </h2>
 *
 * <ol>
 *   <li>{@link dev.awp.djl.perturbation.AwpOptimizer#setEpoch setEpoch(e)} (AWP is off during its
 *       warm-up);
 *   <li>for batch {@code i} of {@link dev.awp.djl.data.ClassificationData#trainingBatches} (order
 *       and augmentation seeded by {@code (seed, e, i)}): the learning rate {@code
 *       schedule.learningRate(η, e, i, N, E)} is handed to the optimizer, the engine's random
 *       generator is re-seeded from {@code (seed, e, i)}, and {@link AwpEasyTrain#trainStep} takes
 *       the step; a non-finite loss stops the run with an {@link IllegalStateException}; with
 *       {@link dev.awp.training.AdversarialTraining#weightAveraging() weight averaging}, the
 *       average is then updated from the restored weights; with extra data, the batches are {@link
 *       dev.awp.djl.data.ClassificationData#mixed mixed};
 *   <li>if the {@link dev.awp.training.EvaluationPlan} evaluates this epoch: a {@link
 *       dev.awp.djl.evaluation.RobustnessEvaluator} measures clean and robust accuracy on a fixed
 *       validation subset, and robust accuracy on a fixed training subset, both at the unperturbed
 *       weights (the average, when the run averages) in inference mode (an example is robust if it
 *       is classified correctly at the clean input and under the plan's attack);
 *   <li>checkpoints per the {@link dev.awp.training.CheckpointPolicy} (best, periodic, last), one
 *       line in {@code metrics.jsonl}, then {@link dev.awp.event.EpochEnded}.
 * </ol>
 *
 * <p>Inside (package-private): {@code TrainingRun} sets DJL up for an {@code AdversarialTrainer}
 * and hands an immutable {@code RunState} (next epoch, history, best epoch, time, divergence-policy
 * state) to {@code EpochLoop}, which trains each epoch with {@code TrainingPass}, evaluates it with
 * {@code RobustnessProbe}, and beside it: {@code DivergenceGuard} (the divergence policy, rollback
 * to {@code LastGoodState}, {@code EpochFailure}), {@code CheckpointWriter} (the checkpoint policy,
 * into {@code Checkpoint} files sealed by {@code SealedArchive}), {@code RunDirectory} (the output
 * directory's layout and metrics log, {@code RunDirectory.NONE} without one), {@code RunEvents}
 * (listeners and log lines) and {@code AveragedWeights} (the weight average, {@code
 * AveragedWeights.NONE} without one).
 */
package dev.awp.djl.training;
