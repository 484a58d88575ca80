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
 * <p>Inside (package-private): {@code AdversarialTrainer} sets DJL up and hands an immutable {@code
 * RunState} (next epoch, history, best epoch, time, divergence-policy state) to {@code EpochLoop},
 * which trains each epoch with {@code TrainingPass}, evaluates it with {@code RobustnessProbe}, and
 * beside it: {@code DivergenceGuard} (the divergence policy, rollback to {@code LastGoodState},
 * {@code EpochFailure}), {@code CheckpointWriter} (the checkpoint policy, into {@code Checkpoint}
 * files), {@code RunDirectory} (the output directory's layout and metrics log, {@code
 * RunDirectory.NONE} without one) and {@code RunEvents} (listeners and log lines).
 */
package dev.awp.djl.training;
