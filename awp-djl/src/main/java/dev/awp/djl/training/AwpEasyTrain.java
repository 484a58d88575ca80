package dev.awp.djl.training;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener.BatchData;
import dev.awp.attack.Attack;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.objective.TrainingObjectives;
import dev.awp.djl.perturbation.AppliedPerturbation;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.objective.Objective;
import java.util.Arrays;
import java.util.Map;

/**
 * Ready adversarial training steps, in the style of DJL's {@code EasyTrain}.
 *
 * <p>One call of {@link #trainBatch} is one step of the AWP paper (spec §2): the attack crafts
 * {@code x'} at the unperturbed weights (input gradients only); {@link AwpOptimizer#perturb} adds
 * {@code v}; the objective's forward and backward run at {@code w + v} in training mode; {@code
 * trainer.step()} updates through the wrapped optimizer and restores {@code w}. Without an {@link
 * AwpOptimizer} it is the base method (PGD-AT, TRADES, MART, or a custom objective).
 *
 * <pre>{@code
 * InputAttack attack = InputAttacks.bind(Attacks.pgdTraining());
 * TrainingObjective objective = TrainingObjectives.bind(Objectives.pgdAt());
 * for (Batch batch : trainer.iterateDataset(data)) {
 *     BatchResult r = AwpEasyTrain.trainBatch(trainer, awp, attack, objective, batch);
 *     batch.close();
 * }
 * }</pre>
 *
 * <p>DJL training listeners are notified of each batch with the adversarial logits as predictions,
 * so DJL's evaluators and progress bars keep working.
 */
public final class AwpEasyTrain {

    private AwpEasyTrain() {}

    /**
     * Trains one batch with AWP.
     *
     * @param trainer the trainer, configured with {@code awp} as its optimizer, on one device
     * @param awp the trainer's optimizer, or {@code null} for the base method without AWP
     * @param attack the training attack (a specification or an {@link InputAttack})
     * @param objective the training objective (a specification or a {@link TrainingObjective})
     * @param batch the batch; not closed
     * @return the step's loss and adversarial accuracy
     * @throws IllegalStateException if the trainer uses several devices
     */
    public static BatchResult trainBatch(
            Trainer trainer, AwpOptimizer awp, Attack attack, Objective objective, Batch batch) {
        requireNonNull(trainer, "trainer");
        requireNonNull(attack, "attack");
        requireNonNull(objective, "objective");
        requireNonNull(batch, "batch");
        Device[] devices = trainer.getDevices();
        if (devices.length != 1) {
            throw new IllegalStateException(
                    "adversarial training supports one device per trainer but the trainer uses "
                            + Arrays.toString(devices));
        }
        InputAttack inputAttack = InputAttacks.bind(attack);
        TrainingObjective trainingObjective = TrainingObjectives.bind(objective);
        Device device = devices[0];
        try (NDManager scope = trainer.getManager().newSubManager(device)) {
            NDArray x = onDevice(batch.getData().head(), device, scope);
            NDArray y = onDevice(batch.getLabels().head(), device, scope);
            NDArray xAdv = inputAttack.generate(AttackTarget.of(trainer), x, y);
            BatchResult result;
            try (AppliedPerturbation v =
                    awp == null
                            ? AppliedPerturbation.none()
                            : awp.perturb(trainer, trainingObjective, x, y, xAdv)) {
                NDArray adversarialLogits;
                NDArray loss;
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray cleanLogits =
                            trainingObjective.usesCleanInputs()
                                    ? trainer.forward(new NDList(x)).head()
                                    : null;
                    adversarialLogits = trainer.forward(new NDList(xAdv)).head();
                    loss = trainingObjective.loss(cleanLogits, adversarialLogits, y);
                    collector.backward(loss);
                }
                trainer.step();
                long correct =
                        adversarialLogits
                                .argMax(1)
                                .eq(y.toType(DataType.INT64, false))
                                .sum()
                                .getLong();
                result = new BatchResult(loss.getFloat(), correct, y.size(), v.isActive());
                BatchData data =
                        new BatchData(
                                batch,
                                Map.of(device, new NDList(y)),
                                Map.of(device, new NDList(adversarialLogits)));
                trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, data));
            }
            return result;
        }
    }

    /** The array on the device, owned by {@code scope} if it had to be copied. */
    private static NDArray onDevice(NDArray array, Device device, NDManager scope) {
        if (array.getDevice().equals(device)) {
            NDArray view = array.stopGradient();
            view.attach(scope);
            return view;
        }
        NDArray copy = array.toDevice(device, true);
        copy.attach(scope);
        return copy;
    }
}
