package dev.awp.djl.training;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.util.Pair;
import dev.awp.attack.Attack;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.internal.Guards;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.objective.TrainingObjectives;
import dev.awp.djl.perturbation.AppliedPerturbation;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.objective.Objective;
import dev.awp.training.NonFiniteValueException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Ready adversarial training steps, in the style of DJL's {@code EasyTrain}.
 *
 * <p>One call of {@link #trainStep} is one step of the AWP paper (spec §2): the attack crafts
 * {@code x'} at the unperturbed weights (input gradients only); {@link AwpOptimizer#perturb} adds
 * {@code v}; the objective's forward and backward run at {@code w + v} in training mode; {@code
 * trainer.step()} updates through the wrapped optimizer and restores {@code w}. Without an {@link
 * AwpOptimizer} it is the base method (PGD-AT, TRADES, MART, or a custom objective).
 *
 * <p><b>It steps.</b> Unlike DJL's {@code EasyTrain.trainBatch}, which leaves {@code
 * trainer.step()} to the caller, {@code trainStep} calls it (the perturbation must be restored
 * right after the update); do not call {@code trainer.step()} again. This method was named {@code
 * trainBatch} before 0.1.0 (see CHANGELOG.md): the name suggested DJL's contract and invited a
 * second, silent momentum and weight-decay step.
 *
 * <pre>{@code
 * InputAttack attack = InputAttacks.bind(Attacks.pgdTraining());
 * TrainingObjective objective = TrainingObjectives.bind(Objectives.pgdAt());
 * for (Batch batch : trainer.iterateDataset(data)) {
 *     BatchResult r = AwpEasyTrain.trainStep(trainer, awp, attack, objective, batch);
 *     batch.close();
 * }
 * }</pre>
 *
 * <p>DJL training listeners are notified of each batch with the adversarial logits as predictions,
 * so DJL's evaluators and progress bars keep working.
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
 *       otherwise the step is not taken, the gradients are zeroed and {@code w} is restored;
 *   <li>after {@code trainer.step()}: every updated weight finite (a NaN learning rate, or an
 *       update that overflows, fails here) — otherwise every trainable weight gets its value before
 *       the step back, bit for bit, from a copy taken at the start of the step.
 * </ul>
 *
 * <p>When a step throws, for whatever reason, no weight is left perturbed: each trainable weight is
 * either bit-identical to its value before the step or, if the optimizer updated it before the
 * failure, holds that update. BatchNorm running statistics keep what the forwards that ran gave
 * them.
 */
public final class AwpEasyTrain {

    private AwpEasyTrain() {}

    /**
     * Trains one batch with AWP and takes the optimizer step: attack, perturb, forward and backward
     * at {@code w + v}, {@code trainer.step()}, restore. Do not call {@code trainer.step()} after
     * it.
     *
     * @param trainer the trainer, configured with {@code awp} as its optimizer, on one device
     * @param awp the trainer's optimizer, or {@code null} for the base method without AWP
     * @param attack the training attack (a specification or an {@link InputAttack})
     * @param objective the training objective (a specification or a {@link TrainingObjective})
     * @param batch the batch; not closed
     * @return the step's loss and adversarial accuracy
     * @throws IllegalStateException if the trainer uses several devices
     * @throws IllegalArgumentException if {@code x} leaves the threat model's bounds or the labels
     *     are not class indices of the model's logits
     * @throws NonFiniteValueException if {@code x}, the labels, {@code x_adv}, a loss, a {@code v},
     *     a gradient or an updated weight is NaN or infinite; {@link
     *     NonFiniteValueException#quantity()} names it and the weights are as before the step
     */
    public static BatchResult trainStep(
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
            Guards.CheckedLabels labels =
                    Guards.checkBatch(
                            inputAttack.threatModel(),
                            x,
                            onDevice(batch.getLabels().head(), device, scope));
            NDArray y = labels.vector();
            NDArray xAdv = inputAttack.generate(AttackTarget.of(trainer), x, y);
            if (awp == null || !awp.isActive()) {
                // AwpOptimizer.perturb checks x_adv when it perturbs; otherwise check it here
                if (Guards.firstNonFinite(List.of(xAdv)) >= 0) {
                    throw new NonFiniteValueException(
                            "x_adv",
                            "x_adv must be finite but the attack "
                                    + inputAttack.name()
                                    + " returned NaN or infinity; the weights are unchanged");
                }
            }
            List<Pair<String, NDArray>> weights = trainableWeights(trainer);
            NDList before = new NDList(weights.size());
            for (Pair<String, NDArray> weight : weights) {
                before.add(weight.getValue().duplicate());
            }
            before.attach(scope);
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
                    labels.checkClasses(adversarialLogits);
                    loss = trainingObjective.loss(cleanLogits, adversarialLogits, y);
                    collector.backward(loss);
                }
                checkFiniteBeforeStep(weights, loss);
                trainer.step();
                checkFiniteAfterStep(weights, before);
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

    /**
     * The updated weights must be finite (a NaN learning rate, or an update that overflows, makes
     * them non-finite although the gradients were finite): one sum per weight, one host read.
     * Otherwise every trainable weight is put back to its value before the step, bit for bit.
     */
    private static void checkFiniteAfterStep(List<Pair<String, NDArray>> weights, NDList before) {
        List<NDArray> arrays = new ArrayList<>(weights.size());
        for (Pair<String, NDArray> weight : weights) {
            arrays.add(weight.getValue());
        }
        int bad = Guards.firstNonFinite(arrays);
        if (bad < 0) {
            return;
        }
        for (int i = 0; i < arrays.size(); i++) {
            Guards.copy(arrays.get(i), before.get(i));
        }
        String quantity = "update of " + weights.get(bad).getKey();
        throw new NonFiniteValueException(
                quantity,
                quantity
                        + " must be finite but the optimizer step produced NaN or infinity from"
                        + " finite gradients; every weight was put back to its value before the"
                        + " step. Training diverged: lower the learning rate (it is NaN, or so"
                        + " large that the update overflows); the optimizer's state (momentum,"
                        + " moments) may hold non-finite values now: create a new optimizer");
    }

    /** The trainable parameters' live arrays, by name, in the block's order. */
    private static List<Pair<String, NDArray>> trainableWeights(Trainer trainer) {
        List<Pair<String, NDArray>> weights = new ArrayList<>();
        for (Pair<String, Parameter> entry : trainer.getModel().getBlock().getParameters()) {
            Parameter parameter = entry.getValue();
            if (parameter.requiresGradient() && parameter.isInitialized()) {
                weights.add(new Pair<>(entry.getKey(), parameter.getArray()));
            }
        }
        return weights;
    }

    /**
     * The update's loss and every trainable gradient must be finite before the optimizer steps: one
     * sum per gradient, one host read. Otherwise the gradients are zeroed and the step is not
     * taken; the caller's {@link AppliedPerturbation} then restores {@code w}.
     */
    private static void checkFiniteBeforeStep(List<Pair<String, NDArray>> weights, NDArray loss) {
        List<String> names = new ArrayList<>();
        List<NDArray> values = new ArrayList<>();
        names.add("loss");
        values.add(loss);
        List<NDArray> gradients = new ArrayList<>();
        try {
            for (Pair<String, NDArray> weight : weights) {
                NDArray gradient = weight.getValue().getGradient();
                gradients.add(gradient);
                names.add("gradient of " + weight.getKey());
                values.add(gradient);
            }
            int bad = Guards.firstNonFinite(values);
            if (bad < 0) {
                return;
            }
            for (NDArray gradient : gradients) {
                Guards.zero(gradient);
            }
            String quantity = names.get(bad);
            throw new NonFiniteValueException(
                    quantity,
                    quantity
                            + " must be finite but was NaN or infinite in the update (at w + v"
                            + " when AWP perturbs); the optimizer did not step and the weights are"
                            + " unchanged. Training may have diverged: lower the learning rate, or"
                            + " check the data and the model's weights");
        } finally {
            for (NDArray gradient : gradients) {
                gradient.close();
            }
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
