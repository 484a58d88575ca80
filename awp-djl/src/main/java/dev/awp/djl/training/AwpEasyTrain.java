package dev.awp.djl.training;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.translate.TranslateException;
import dev.awp.attack.Attack;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.internal.Guards;
import dev.awp.djl.objective.ObjectiveLoss;
import dev.awp.djl.objective.StepForwards;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.objective.TrainingObjectives;
import dev.awp.djl.perturbation.AppliedPerturbation;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.objective.Objective;
import dev.awp.training.BatchNormForwards;
import dev.awp.training.NonFiniteValueException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adversarial training in the shape of DJL's {@code EasyTrain}: {@link #fit}, {@link #trainBatch},
 * {@link #validateBatch} and {@link #evaluateDataset} do what DJL's methods of the same names do,
 * with an attack, a training objective and, optionally, an {@link AwpOptimizer}; {@link #trainStep}
 * is a whole step with the optimizer step included and checked.
 *
 * <p>One training step is one step of the AWP paper (spec §2): the attack crafts {@code x'} at the
 * unperturbed weights (input gradients only); {@link AwpOptimizer#perturb} adds {@code v}; the
 * objective's forward and backward run at {@code w + v} in training mode; {@code trainer.step()}
 * updates through the wrapped optimizer, which restores {@code w}. Without an {@link AwpOptimizer}
 * it is the base method (PGD-AT, TRADES, MART, or a custom objective).
 *
 * <p><b>Two ways to step.</b> Like DJL's, {@link #trainBatch} does <em>not</em> step: it leaves the
 * gradients and {@code w + v} in place for the caller's {@code trainer.step()}, which updates and
 * restores {@code w}. Call {@code trainer.step()} exactly once after each {@code trainBatch}; if it
 * is skipped, the next {@code trainBatch} (or {@link AwpOptimizer#perturb}) restores {@code w} and
 * throws. {@link #trainStep} calls {@code trainer.step()} itself, checks that the updated weights
 * are finite and that the step restored {@code w}, and puts every weight back when it throws;
 * {@link #fit} uses it. Before 0.1.0 {@code trainBatch} stepped (see CHANGELOG.md).
 *
 * <pre>{@code
 * // the DJL shape
 * for (Batch batch : trainer.iterateDataset(train)) {
 *     AwpEasyTrain.trainBatch(trainer, awp, attack, objective, batch);
 *     trainer.step(); // updates at w + v, then restores w
 *     batch.close();
 * }
 * // or the whole loop
 * AwpEasyTrain.fit(trainer, 10, train, test, Attacks.pgdTraining(), Objectives.pgdAt(), awp);
 * }</pre>
 *
 * <p><b>DJL's listeners and evaluators</b> are notified of each training batch ({@code
 * onTrainingBatch}) with the adversarial logits as predictions, and of each validation batch
 * ({@code onValidationBatch}) with the adversarial logits of the evaluation attack, so DJL's
 * accuracy reads as adversarial accuracy. They see the objective's loss when the trainer's loss is
 * an {@link ObjectiveLoss} ({@code new DefaultTrainingConfig(ObjectiveLoss.of(objective))}): the
 * clean logits are then passed as the second prediction for TRADES and MART. With another loss (for
 * example {@code Loss.softmaxCrossEntropyLoss()}) DJL reports that loss of the adversarial logits,
 * which for PGD-AT is the objective and for TRADES and MART is not.
 *
 * <p><b>Checks.</b> Bad batches and non-finite values never reach the weights through the step.
 * Each check reduces every tensor to a scalar on the device and reads the scalars with one host
 * transfer (a handful per step, never a loop over elements):
 *
 * <ul>
 *   <li>before the attack: {@code x} finite and within the attack's threat model bounds; the labels
 *       of shape {@code (B)} or {@code (B, 1)} (reshaped to {@code (B)}), finite, integral-valued
 *       (integer types, or floating types holding whole numbers as DJL's datasets give) and {@code
 *       >= 0}; after the first forward, before any loss: labels below the logits' class count;
 *   <li>{@code x_adv} finite (by {@link AwpOptimizer#perturb} when it perturbs, here otherwise),
 *       and everything {@link AwpOptimizer#perturb} checks;
 *   <li>before {@code trainer.step()}: the update loss and every trainable gradient finite —
 *       otherwise the gradients are zeroed, {@code w} is restored and the method throws (so the
 *       caller's step, if any, is never reached);
 *   <li>{@code trainer.step()} ({@link #trainStep} and {@link #fit} only): every updated weight
 *       finite (a NaN learning rate, or an update that overflows, fails here) — otherwise every
 *       trainable weight gets its value before the step back. With an {@link AwpOptimizer} (use one
 *       with γ = 0 for plain AT) this costs no copy of the model: {@link AwpOptimizer#step} keeps
 *       each weight's value before its update in its gradient array, which the optimizer has
 *       consumed, and proves the updates finite before keeping them; only the first step with a
 *       trainer copies every weight, to prove the {@link AwpOptimizer} is the trainer's optimizer.
 *       With another optimizer (or {@code awp == null}) every trainable weight is copied before
 *       each step.
 * </ul>
 *
 * <p><b>Loss weights.</b> A batch whose labels hold a second array named {@value
 * dev.awp.djl.data.ClassificationData#LOSS_WEIGHTS} (the batches of {@link
 * dev.awp.djl.data.ClassificationData#mixed(dev.awp.djl.data.ClassificationData, double,
 * java.util.List) mixed} data with per-source loss weights) is trained on the weighted mean {@code
 * Σ w·ℓ / Σ w} of the objective's per-example losses ({@link TrainingObjective#loss(NDArray,
 * NDArray, NDArray, NDArray)}), in the update and in the AWP pass; the weights must be a
 * floating-point vector {@code (B)}, finite, non-negative and not all zero (one host read, an
 * {@link IllegalArgumentException} otherwise). {@link BatchResult#loss()} is that weighted loss;
 * DJL's listeners and an {@link ObjectiveLoss} see the unweighted one. Batches without weights are
 * trained exactly as before.
 *
 * <p>When a step throws, for whatever reason, no weight is left perturbed: each trainable weight is
 * either at its value before the step or, if the optimizer updated it before the failure, holds
 * that update. "Its value before the step" is bit for bit for the weights AWP does not perturb; a
 * perturbed tensor is restored as every step restores it, by the reference's {@code (w + v) − v},
 * which is {@code w} up to rounding (spec §8, invariant 6), not bit for bit. BatchNorm running
 * statistics keep what the forwards that ran gave them.
 *
 * <p>{@link #fit} and these methods take their randomness (the attacks' random starts, the
 * dataset's sampler) from the engine and the dataset as DJL's {@code EasyTrain} does; for one seed
 * that fixes everything, bit-exact resume and checkpoints, use {@link AdversarialTrainer}.
 */
public final class AwpEasyTrain {

    private static final Logger LOG = LoggerFactory.getLogger(AwpEasyTrain.class);

    private AwpEasyTrain() {}

    /**
     * Trains for some epochs and validates after each, like DJL's {@code EasyTrain.fit}: every
     * training batch is a {@link #trainStep}, the validation set is attacked with {@code attack} in
     * BatchNorm inference mode ({@link #evaluateDataset}), and the listeners get {@code onEpoch}
     * after each epoch. The {@link AwpOptimizer}'s epoch (which decides its warm-up) is set to its
     * value at the call plus the epoch's index before each epoch, and to its value plus {@code
     * numEpoch} at the end, whether or not its {@link AwpOptimizer#epochListener()} is registered.
     * Each epoch is logged at INFO.
     *
     * @param trainer the trainer, configured with {@code awp} as its optimizer when AWP is used
     * @param numEpoch the number of epochs, at least 1
     * @param trainingDataset the training data
     * @param validateDataset the validation data, or {@code null} for none
     * @param attack the training attack, also used (in inference mode) for validation
     * @param objective the training objective
     * @param awp the trainer's optimizer; {@code null} means the base method without AWP, which the
     *     overloads without {@code awp} say more plainly
     * @return what each epoch measured, in order
     * @throws IOException if the data cannot be read
     * @throws TranslateException if DJL cannot batch the data
     * @throws IllegalArgumentException if {@code numEpoch < 1}, or a batch is invalid (see {@link
     *     #trainStep})
     * @throws NonFiniteValueException if a step meets a non-finite value (the weights are as before
     *     that step)
     */
    public static List<EpochResult> fit(
            Trainer trainer,
            int numEpoch,
            Dataset trainingDataset,
            Dataset validateDataset,
            Attack attack,
            Objective objective,
            AwpOptimizer awp)
            throws IOException, TranslateException {
        requireNonNull(trainer, "trainer");
        requireNonNull(trainingDataset, "trainingDataset");
        requireNonNull(attack, "attack");
        requireNonNull(objective, "objective");
        checkArgument(numEpoch >= 1, "numEpoch must be >= 1 but was %s", numEpoch);
        StepPerturbation perturbation = StepPerturbation.of(awp);
        int firstEpoch = perturbation.epoch();
        List<EpochResult> epochs = new ArrayList<>(numEpoch);
        for (int e = 0; e < numEpoch; e++) {
            perturbation.setEpoch(firstEpoch + e);
            double lossSum = 0;
            long correct = 0;
            long examples = 0;
            long perturbedBatches = 0;
            for (Batch batch : trainer.iterateDataset(trainingDataset)) {
                try {
                    BatchResult result = trainStep(trainer, awp, attack, objective, batch);
                    lossSum += result.loss() * result.size();
                    correct += result.adversarialCorrect();
                    examples += result.size();
                    perturbedBatches += result.perturbed() ? 1 : 0;
                } finally {
                    batch.close();
                }
            }
            ValidationResult validation =
                    validateDataset == null
                            ? null
                            : evaluateDataset(trainer, validateDataset, attack);
            EpochResult epoch =
                    new EpochResult(
                            firstEpoch + e,
                            examples == 0 ? Double.NaN : lossSum / examples,
                            correct,
                            examples,
                            perturbedBatches,
                            validation);
            epochs.add(epoch);
            LOG.info("{}", epoch);
            trainer.notifyListeners(listener -> listener.onEpoch(trainer));
        }
        perturbation.setEpoch(firstEpoch + numEpoch);
        return epochs;
    }

    /**
     * {@link #fit(Trainer, int, Dataset, Dataset, Attack, Objective, AwpOptimizer) fit} for the
     * base method without AWP (plain PGD-AT, TRADES or MART), with the same checks, guards and
     * results.
     *
     * @param trainer the trainer, with its own optimizer
     * @param numEpoch the number of epochs, at least 1
     * @param trainingDataset the training data
     * @param validateDataset the validation data, or {@code null} for none (as in DJL's {@code
     *     EasyTrain.fit})
     * @param attack the training attack, also used (in inference mode) for validation
     * @param objective the training objective
     * @return what each epoch measured, in order
     * @throws IOException if the data cannot be read
     * @throws TranslateException if DJL cannot batch the data
     * @throws IllegalArgumentException see {@link #fit(Trainer, int, Dataset, Dataset, Attack,
     *     Objective, AwpOptimizer) fit}
     * @throws NonFiniteValueException see {@link #fit(Trainer, int, Dataset, Dataset, Attack,
     *     Objective, AwpOptimizer) fit}
     */
    public static List<EpochResult> fit(
            Trainer trainer,
            int numEpoch,
            Dataset trainingDataset,
            Dataset validateDataset,
            Attack attack,
            Objective objective)
            throws IOException, TranslateException {
        return fit(trainer, numEpoch, trainingDataset, validateDataset, attack, objective, null);
    }

    /**
     * {@link #trainStep(Trainer, AwpOptimizer, Attack, Objective, Batch) trainStep} for the base
     * method without AWP: attack, forward and backward at {@code w}, {@code trainer.step()}, with
     * the same checks and guards.
     *
     * @param trainer the trainer, with its own optimizer, on one device
     * @param attack the training attack (a specification or an {@link InputAttack})
     * @param objective the training objective (a specification or a {@link TrainingObjective})
     * @param batch the batch; not closed
     * @return the step's loss and adversarial accuracy
     * @throws IllegalStateException see {@link #trainStep(Trainer, AwpOptimizer, Attack, Objective,
     *     Batch)}
     * @throws IllegalArgumentException see {@link #trainStep(Trainer, AwpOptimizer, Attack,
     *     Objective, Batch)}
     * @throws NonFiniteValueException see {@link #trainStep(Trainer, AwpOptimizer, Attack,
     *     Objective, Batch)}
     */
    public static BatchResult trainStep(
            Trainer trainer, Attack attack, Objective objective, Batch batch) {
        return trainStep(trainer, null, attack, objective, batch);
    }

    /**
     * Computes one batch's gradients with AWP and leaves the step to the caller, like DJL's {@code
     * EasyTrain.trainBatch}: attack, perturb, forward and backward at {@code w + v}. The weights
     * stay at {@code w + v} until the caller's {@code trainer.step()}, which updates them through
     * {@code awp} and restores {@code w}; call it exactly once. If a check fails or anything
     * throws, {@code w} is restored and the gradients are those of the failed backward or zero.
     *
     * @param trainer the trainer, configured with {@code awp} as its optimizer, on one device
     * @param awp the trainer's optimizer; {@code null} means the base method without AWP, which the
     *     overloads without {@code awp} say more plainly
     * @param attack the training attack (a specification or an {@link InputAttack})
     * @param objective the training objective (a specification or a {@link TrainingObjective})
     * @param batch the batch; not closed
     * @return the batch's loss and adversarial accuracy
     * @throws IllegalStateException if the trainer uses several devices, or if the weights are
     *     still perturbed by the previous {@code trainBatch} (its {@code trainer.step()} was not
     *     called, or {@code awp} is not the trainer's optimizer): they are restored first
     * @throws IllegalArgumentException if {@code x} leaves the threat model's bounds or the labels
     *     are not class indices of the model's logits
     * @throws NonFiniteValueException if {@code x}, the labels, {@code x_adv}, a loss, a {@code v}
     *     or a gradient is NaN or infinite; {@link NonFiniteValueException#quantity()} names it and
     *     the weights are as before the call
     */
    public static BatchResult trainBatch(
            Trainer trainer, AwpOptimizer awp, Attack attack, Objective objective, Batch batch) {
        return train(
                trainer,
                StepPerturbation.of(awp),
                attack,
                objective,
                batch,
                false,
                BatchNormForwards.MINIMAL);
    }

    /**
     * Trains one batch with AWP and takes the optimizer step: attack, perturb, forward and backward
     * at {@code w + v}, {@code trainer.step()}, restore. Do not call {@code trainer.step()} after
     * it.
     *
     * @param trainer the trainer, configured with {@code awp} as its optimizer, on one device
     * @param awp the trainer's optimizer; {@code null} means the base method without AWP, which the
     *     overloads without {@code awp} say more plainly
     * @param attack the training attack (a specification or an {@link InputAttack})
     * @param objective the training objective (a specification or a {@link TrainingObjective})
     * @param batch the batch; not closed
     * @return the step's loss and adversarial accuracy
     * @throws IllegalStateException if the trainer uses several devices, or if {@code awp} is not
     *     the trainer's optimizer (its step did not restore {@code w}; every weight is put back to
     *     its value before the step)
     * @throws IllegalArgumentException if {@code x} leaves the threat model's bounds or the labels
     *     are not class indices of the model's logits
     * @throws NonFiniteValueException if {@code x}, the labels, {@code x_adv}, a loss, a {@code v},
     *     a gradient or an updated weight is NaN or infinite; {@link
     *     NonFiniteValueException#quantity()} names it and the weights are as before the step
     */
    public static BatchResult trainStep(
            Trainer trainer, AwpOptimizer awp, Attack attack, Objective objective, Batch batch) {
        return trainStep(trainer, awp, attack, objective, batch, BatchNormForwards.MINIMAL);
    }

    /**
     * {@link #trainStep(Trainer, AwpOptimizer, Attack, Objective, Batch)} with the training-mode
     * forwards of the official scripts when {@code forwards} asks for them, so that the BatchNorm
     * running statistics evolve as in the official code: for PGD-AT, one more forward of {@code x'}
     * after an attack in training mode (before the AWP pass) and, with {@link
     * BatchNormForwards#OFFICIAL}, a forward of {@code x} after the restore; for TRADES, the
     * update's forwards in the order {@code f(x')}, {@code f(x)}, {@code f(x)}. The weights are the
     * same in every mode. The objective names its forwards ({@link TrainingObjective#forwards}):
     * the built-in objectives (given as specifications or bound by {@link TrainingObjectives#bind})
     * name their official scripts' forwards; a custom objective, by default, only those its loss
     * needs.
     *
     * @param trainer the trainer, configured with {@code awp} as its optimizer, on one device
     * @param awp the trainer's optimizer; {@code null} means the base method without AWP, which the
     *     overloads without {@code awp} say more plainly
     * @param attack the training attack (a specification or an {@link InputAttack})
     * @param objective the training objective (a specification or a {@link TrainingObjective})
     * @param batch the batch; not closed
     * @param forwards which extra training-mode forwards to run
     * @return the step's loss and adversarial accuracy
     * @throws IllegalStateException see {@link #trainStep(Trainer, AwpOptimizer, Attack, Objective,
     *     Batch)}
     * @throws IllegalArgumentException see {@link #trainStep(Trainer, AwpOptimizer, Attack,
     *     Objective, Batch)}
     * @throws NonFiniteValueException see {@link #trainStep(Trainer, AwpOptimizer, Attack,
     *     Objective, Batch)}
     */
    public static BatchResult trainStep(
            Trainer trainer,
            AwpOptimizer awp,
            Attack attack,
            Objective objective,
            Batch batch,
            BatchNormForwards forwards) {
        requireNonNull(forwards, "forwards");
        return train(trainer, StepPerturbation.of(awp), attack, objective, batch, true, forwards);
    }

    /**
     * Measures one batch's clean and adversarial accuracy at the current weights, like DJL's {@code
     * EasyTrain.validateBatch}: the attack runs with BatchNorm in inference mode ({@link
     * Attack#withBatchNormMode}) whatever its specification says, the logits come from {@code
     * trainer.evaluate}, so neither the weights nor the running statistics change. Listeners get
     * {@code onValidationBatch} with the adversarial logits as predictions (and the clean logits
     * second when the trainer's loss is an {@link ObjectiveLoss}).
     *
     * @param trainer the trainer, on one device
     * @param attack the evaluation attack (a specification or an {@link InputAttack})
     * @param batch the batch; not closed
     * @return the batch's clean and adversarial correct counts
     * @throws IllegalStateException if the trainer uses several devices
     * @throws IllegalArgumentException if {@code x} leaves the threat model's bounds or the labels
     *     are not class indices of the model's logits
     * @throws NonFiniteValueException if {@code x} or the labels are NaN or infinite
     */
    public static ValidationResult validateBatch(Trainer trainer, Attack attack, Batch batch) {
        requireNonNull(trainer, "trainer");
        requireNonNull(attack, "attack");
        requireNonNull(batch, "batch");
        Device device = singleDevice(trainer);
        InputAttack inputAttack = InputAttacks.bind(attack.withBatchNormMode(BatchNormMode.EVAL));
        try (NDManager scope = trainer.getManager().newSubManager(device)) {
            CheckedBatch checked = CheckedBatch.of(batch, device, scope, inputAttack);
            NDArray x = checked.x();
            Guards.CheckedLabels labels = checked.labels();
            NDArray y = labels.vector();
            NDArray clean = trainer.evaluate(new NDList(x)).head();
            labels.checkClasses(clean);
            NDArray xAdv = inputAttack.generate(AttackTarget.of(trainer), x, y);
            NDArray adversarial = trainer.evaluate(new NDList(xAdv)).head();
            NDArray classes = y.toType(DataType.INT64, false);
            NDArray counts =
                    NDArrays.stack(
                            new NDList(
                                    clean.argMax(1).eq(classes).sum(),
                                    adversarial.argMax(1).eq(classes).sum()));
            long[] correct = counts.toLongArray();
            BatchData data =
                    new BatchData(
                            batch,
                            Map.of(device, new NDList(y)),
                            Map.of(device, predictions(trainer, adversarial, clean)));
            trainer.notifyListeners(listener -> listener.onValidationBatch(trainer, data));
            return new ValidationResult(correct[0], correct[1], y.size());
        }
    }

    /**
     * Measures a dataset's clean and adversarial accuracy at the current weights, like DJL's {@code
     * EasyTrain.evaluateDataset}: {@link #validateBatch} on every batch of {@code
     * trainer.iterateDataset(dataset)}, each batch closed after.
     *
     * @param trainer the trainer, on one device
     * @param dataset the data
     * @param attack the evaluation attack, run with BatchNorm in inference mode
     * @return the clean and adversarial correct counts over the dataset
     * @throws IOException if the data cannot be read
     * @throws TranslateException if DJL cannot batch the data
     */
    public static ValidationResult evaluateDataset(Trainer trainer, Dataset dataset, Attack attack)
            throws IOException, TranslateException {
        requireNonNull(trainer, "trainer");
        requireNonNull(dataset, "dataset");
        requireNonNull(attack, "attack");
        ValidationResult total = new ValidationResult(0, 0, 0);
        for (Batch batch : trainer.iterateDataset(dataset)) {
            try {
                total = total.plus(validateBatch(trainer, attack, batch));
            } finally {
                batch.close();
            }
        }
        return total;
    }

    /**
     * One step of the AWP paper (spec §2) with the checks of the class documentation: attack at
     * {@code w}, perturb, the update's forward and backward at {@code w + v}, and, if {@code step},
     * {@code trainer.step()} (which restores {@code w}) and its checks; the objective's {@link
     * StepForwards} add the official scripts' training-mode forwards.
     */
    private static BatchResult train(
            Trainer trainer,
            StepPerturbation awp,
            Attack attack,
            Objective objective,
            Batch batch,
            boolean step,
            BatchNormForwards forwards) {
        requireNonNull(trainer, "trainer");
        requireNonNull(attack, "attack");
        requireNonNull(objective, "objective");
        requireNonNull(batch, "batch");
        Device device = singleDevice(trainer);
        awp.requireRestored();
        InputAttack inputAttack = InputAttacks.bind(attack);
        TrainingObjective trainingObjective = TrainingObjectives.bind(objective);
        StepForwards order = trainingObjective.forwards(forwards);
        try (NDManager scope = trainer.getManager().newSubManager(device)) {
            CheckedBatch checked = CheckedBatch.of(batch, device, scope, inputAttack);
            NDArray x = checked.x();
            NDArray y = checked.y();
            // a batch with loss weights: the update and the AWP pass take the weighted mean
            trainingObjective = WeightedStepObjective.of(trainingObjective, checked.weights());
            NDArray xAdv = inputAttack.generate(awp.attackTarget(trainer, attack), x, y);
            if (order.restartSelection() && inputAttack.batchNormMode() == BatchNormMode.TRAIN) {
                // the reference's restart-selection pass: a training-mode forward of x'
                trainer.forward(new NDList(xAdv)).close();
            }
            if (!awp.perturbs()) {
                // AwpOptimizer.perturb checks x_adv when it perturbs; otherwise check it here
                checkFinite(xAdv, inputAttack);
            }
            TrainableWeights weights = TrainableWeights.of(trainer);
            // trainBatch leaves the step to the caller
            WeightSnapshot before =
                    step ? awp.snapshot(trainer, weights, scope) : WeightSnapshot.NONE;
            AppliedPerturbation v = awp.perturb(trainer, trainingObjective, x, y, xAdv);
            boolean leavePerturbed = false;
            try {
                UpdatePass update =
                        UpdatePass.run(trainer, order, trainingObjective, checked, xAdv);
                weights.checkFiniteGradients(update.loss());
                if (step) {
                    awp.step(trainer, before);
                    if (order.cleanAfterRestore()) {
                        // the reference's logging forward on x, after the restore
                        trainer.forward(new NDList(x)).close();
                    }
                }
                BatchResult result = update.result(v.isActive());
                notifyTrainingBatch(trainer, batch, device, y, update);
                leavePerturbed = !step;
                return result;
            } finally {
                if (!leavePerturbed) {
                    v.close();
                }
            }
        }
    }

    /** DJL's listeners get {@code onTrainingBatch} with the update's logits as predictions. */
    private static void notifyTrainingBatch(
            Trainer trainer, Batch batch, Device device, NDArray y, UpdatePass update) {
        BatchData data =
                new BatchData(
                        batch,
                        Map.of(device, new NDList(y)),
                        Map.of(device, predictions(trainer, update.adversarial(), update.clean())));
        trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, data));
    }

    /** The adversarial inputs must be finite when no AWP pass checks them. */
    private static void checkFinite(NDArray xAdv, InputAttack attack) {
        if (Guards.firstNonFinite(List.of(xAdv)) >= 0) {
            throw new NonFiniteValueException(
                    "x_adv",
                    "x_adv must be finite but the attack "
                            + attack.name()
                            + " returned NaN or infinity; the weights are unchanged");
        }
    }

    /**
     * What DJL's listeners see as predictions: the adversarial logits, and the clean logits second
     * when the trainer's loss is an {@link ObjectiveLoss} that needs them.
     */
    private static NDList predictions(Trainer trainer, NDArray adversarial, NDArray clean) {
        if (clean != null
                && trainer.getLoss() instanceof ObjectiveLoss loss
                && loss.objective().usesCleanInputs()) {
            return new NDList(adversarial, clean);
        }
        return new NDList(adversarial);
    }

    private static Device singleDevice(Trainer trainer) {
        Device[] devices = trainer.getDevices();
        if (devices.length != 1) {
            throw new IllegalStateException(
                    "adversarial training supports one device per trainer but the trainer uses "
                            + Arrays.toString(devices));
        }
        return devices[0];
    }
}
