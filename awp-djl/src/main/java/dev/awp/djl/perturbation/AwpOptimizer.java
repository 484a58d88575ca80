package dev.awp.djl.perturbation;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import dev.awp.attack.Attack;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.internal.NativeSelfCheck;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.objective.TrainingObjectives;
import dev.awp.objective.Objective;
import dev.awp.perturbation.PerturbationDirection;
import dev.awp.perturbation.StepOrder;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.training.NonFiniteValueException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Adds Adversarial Weight Perturbation to any DJL {@link Optimizer}.
 *
 * <p>Wrap the optimizer when configuring the trainer, then call {@link #perturb} once per batch,
 * after the attack and before the training forward pass:
 *
 * <pre>{@code
 * AwpOptimizer awp = AwpOptimizer.wrap(
 *         Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).optMomentum(0.9f)
 *                 .optWeightDecays(5e-4f).build(),
 *         WeightPerturbation.of(0.01));
 * DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
 *         .optOptimizer(awp);
 * // in the loop, per batch:
 * NDArray xAdv = attack.generate(AttackTarget.of(trainer), x, y);
 * try (AppliedPerturbation v = awp.perturb(trainer, objective, x, y, xAdv)) {
 *     try (GradientCollector gc = trainer.newGradientCollector()) {
 *         gc.backward(objective.loss(null, trainer.forward(new NDList(xAdv)).head(), y));
 *     }
 *     trainer.step(); // the wrapped optimizer steps at w + v, then w is restored
 * }
 * }</pre>
 *
 * <p>What {@link #perturb} does, for the tensors the {@link WeightPerturbation#tensors() selection}
 * picks (convolution kernels and linear weights by default): one forward and backward of the
 * objective at {@code w} in training mode — through scratch copies of the BatchNorm running
 * statistics, so the model's statistics are unchanged (a block whose statistics are not DJL
 * parameters, such as a {@link dev.awp.djl.torchscript.TorchScriptClassifier TorchScript model},
 * runs it on its proxy copy instead, as the reference does), and with gradients switched off for
 * the parameters that are not perturbed — then {@code v_l = γ‖w_l‖ g_l / (‖g_l‖ + 1e-20)} and
 * {@code w_l += v_l}. The pass computes the perturbed weights' gradients into detached leaves that
 * share the weights' storage, so it leaves the model's gradient arrays as they were (zero after an
 * optimizer step) and the training backward starts from them as it would without AWP; a gradient
 * the pass had to write into a weight's own array (a block that reads a weight without its
 * parameter store, a TorchScript proxy) is zeroed again. No copy of a DJL model or of {@code w} is
 * made: the memory added is one {@code v} per perturbed tensor, the storage of the gradient it was
 * made from (plus, for a TorchScript model, its proxy).
 *
 * <p><b>Checks.</b> Before any weight moves, {@link #perturb} checks that {@code x} and {@code
 * xAdv} are finite and the labels are class indices (one host read), that the labels are below the
 * logits' class count (after the forward, before the loss), and that the AWP pass loss and every
 * {@code v_l} are finite (one host read of two scalars per tensor, {@code ‖g_l‖} and {@code
 * γ‖w_l‖/(‖g_l‖ + 1e-20)}: when both are finite, so is every element of {@code v_l}, whose
 * magnitude they bound). A failed check throws — {@link NonFiniteValueException} naming {@code
 * "x"}, {@code "x_adv"}, {@code "y"}, {@code "loss"} or {@code "v of <parameter>"}, or {@link
 * IllegalArgumentException} for bad labels — with the weights bit-identical to {@code w} and every
 * trainable gradient zeroed.
 *
 * <p>During {@code trainer.step()}, {@link #update} delegates every parameter to the wrapped
 * optimizer (whose state — momentum, Adam moments, update counts — sees exactly the calls it would
 * see without AWP) and restores each perturbed tensor right after its update ({@link
 * StepOrder#UPDATE_THEN_RESTORE}, the reference order) or right before it ({@link
 * StepOrder#RESTORE_THEN_UPDATE}, the SAM order). Closing the {@link AppliedPerturbation} restores
 * whatever the step did not, so weights are never left perturbed, even when the forward pass
 * throws. Every restore is the reference's {@code w ← (w + v) − v} (spec §2, step 5), after an
 * update or without one (the SAM order, a step that throws, a wrapped update that throws); in float
 * it returns {@code w} to within rounding of {@code |w| + |v|} (spec §8, invariant 6), not bit for
 * bit: keeping {@code w} bit for bit would cost a copy of every perturbed tensor. {@link
 * #step(Trainer)} takes the step with every update proved finite before it is kept.
 *
 * <p><b>Without the extra pass.</b> With {@link PerturbationDirection#LAST_ATTACK_STEP} (opt-in;
 * {@link PerturbationDirection#EXACT} is the default and the paper), {@link #perturb} runs no pass:
 * the attack, run on {@link #attackTarget}, computes the weights' gradients in its last iteration
 * (one backward it runs anyway) and {@code v} is built from them with the same formula. This is an
 * approximation of AWP (the point is one attack step before {@code x'}, the loss is the attack's,
 * the BatchNorm mode the attack's); the documentation gives how close it measured.
 *
 * <p>While AWP is inactive (γ = 0, or the current {@link #setEpoch epoch} is in the warm-up) {@link
 * #perturb} does nothing and the training trajectory is bit-identical to the wrapped optimizer's.
 *
 * <p>Limitations: one device per model (a trainer on several devices is rejected); not thread-safe,
 * like DJL's optimizers. Call {@link #perturb} outside any open {@code GradientCollector} (DJL
 * allows one at a time).
 */
public final class AwpOptimizer extends Optimizer {

    private final Optimizer base;
    private final WeightPerturbation spec;
    private final Map<Block, List<Pair<String, Parameter>>> selections = new HashMap<>();
    private final VBuffers buffers = new VBuffers();
    private final Map<String, PerturbedTensor> pending = new LinkedHashMap<>();
    private final Set<Trainer> stepped = Collections.newSetFromMap(new WeakHashMap<>());
    private final Direction direction;
    private AppliedPerturbation current;
    private UpdateStage stage = UpdateStage.DIRECT;
    private int epoch;

    private AwpOptimizer(Optimizer base, WeightPerturbation spec) {
        super(new NoOptions());
        this.base = base;
        this.spec = spec;
        this.direction = Direction.of(spec, this::selection);
    }

    /**
     * Wraps an optimizer.
     *
     * @param base the optimizer that takes the steps (SGD, Adam, AdamW, …); keeps all its state
     * @param perturbation the weight perturbation
     * @return the wrapping optimizer, to be used in the trainer's configuration
     */
    public static AwpOptimizer wrap(Optimizer base, WeightPerturbation perturbation) {
        requireNonNull(base, "base");
        requireNonNull(perturbation, "perturbation");
        checkArgument(
                !(base instanceof AwpOptimizer),
                "base must not be an AwpOptimizer but was %s (it is wrapped already)",
                base);
        return new AwpOptimizer(base, perturbation);
    }

    /**
     * The wrapped optimizer.
     *
     * @return the optimizer that takes the steps
     */
    public Optimizer base() {
        return base;
    }

    /**
     * The weight perturbation specification.
     *
     * @return the specification
     */
    public WeightPerturbation perturbation() {
        return spec;
    }

    /**
     * Sets the current 0-based epoch, which decides the warm-up. Training loops call it at the
     * start of every epoch, or register {@link #epochListener()}.
     *
     * @param epoch the epoch, at least 0
     * @throws IllegalArgumentException if {@code epoch < 0}
     */
    public void setEpoch(int epoch) {
        checkArgument(epoch >= 0, "epoch must be >= 0 but was %s", epoch);
        this.epoch = epoch;
    }

    /**
     * The current 0-based epoch.
     *
     * @return the epoch
     */
    public int getEpoch() {
        return epoch;
    }

    /**
     * Whether {@link #perturb} perturbs the weights in the current epoch.
     *
     * @return true if γ &gt; 0 and the warm-up is over
     */
    public boolean isActive() {
        return spec.isActive(epoch);
    }

    /**
     * A DJL training listener that advances {@link #getEpoch()} at the end of each epoch, for loops
     * that notify listeners (such as {@code EasyTrain.fit}).
     *
     * @return the listener
     */
    public TrainingListener epochListener() {
        return new TrainingListenerAdapter() {
            @Override
            public void onEpoch(Trainer trainer) {
                epoch++;
            }
        };
    }

    /**
     * Perturbs the weights by {@code v} for this batch; see the class documentation.
     *
     * @param trainer the trainer of the model; borrowed, never closed
     * @param objective the training objective, the same the update uses (a built-in specification
     *     or a {@link TrainingObjective})
     * @param x the clean inputs (read only if the objective uses them)
     * @param y the labels
     * @param xAdv the adversarial inputs from the attack, crafted at the unperturbed weights
     * @return the applied perturbation; close it after {@code trainer.step()}
     * @throws IllegalStateException if a perturbation is still applied (it is restored first), if
     *     the trainer uses several devices, if the selection picks no tensor of the model, or if
     *     the engine's native kernels compute wrong results (checked once per process, as {@link
     *     dev.awp.djl.attack.AttackTarget} describes)
     * @throws NonFiniteValueException if {@code x}, {@code xAdv} or {@code y}, the AWP pass loss or
     *     a {@code v_l} is NaN or infinite; the weights are then unchanged and the gradients zeroed
     * @throws IllegalArgumentException if the labels are not class indices of the logits: shape
     *     other than {@code (B)} or {@code (B, 1)}, non-integral, negative, or not below the class
     *     count
     */
    public AppliedPerturbation perturb(
            Trainer trainer, Objective objective, NDArray x, NDArray y, NDArray xAdv) {
        requireNonNull(trainer, "trainer");
        requireNonNull(objective, "objective");
        requireNonNull(x, "x");
        requireNonNull(y, "y");
        requireNonNull(xAdv, "xAdv");
        if (current != null) {
            restore(current);
            throw new IllegalStateException(
                    "a weight perturbation was still applied: the weights were restored to w and"
                            + " this batch was not perturbed. Either trainer.step() was not called"
                            + " after the previous perturb (or AwpEasyTrain.trainBatch), or this"
                            + " AwpOptimizer is not the trainer's optimizer (configure it with"
                            + " DefaultTrainingConfig.optOptimizer(awp)); close each"
                            + " AppliedPerturbation (try-with-resources)");
        }
        if (trainer.getDevices().length != 1) {
            throw new IllegalStateException(
                    "AWP supports training on one device but the trainer uses "
                            + Arrays.toString(trainer.getDevices())
                            + "; create the trainer with a single device");
        }
        if (spec.gamma() == 0) {
            return AppliedPerturbation.none();
        }
        Block block = trainer.getModel().getBlock();
        List<Pair<String, Parameter>> selected = selection(block);
        if (!isActive()) {
            return AppliedPerturbation.none();
        }
        NativeSelfCheck.verify(trainer);
        releaseBuffers();
        TrainingObjective bound = TrainingObjectives.bind(objective);
        List<PerturbedTensor> tensors = new ArrayList<>(selected.size());
        for (Pair<String, Parameter> entry : selected) {
            Parameter parameter = entry.getValue();
            NDArray v = buffers.of(parameter);
            tensors.add(new PerturbedTensor(entry.getKey(), parameter, v));
        }
        direction.compute(block, bound, x, y, xAdv, tensors);
        for (PerturbedTensor tensor : tensors) {
            pending.put(tensor.id(), tensor);
        }
        AppliedPerturbation applied = new AppliedPerturbation(this, selected.size());
        current = applied;
        return applied;
    }

    /**
     * The target the training attack runs on for this batch: the trainer's model, and, with {@link
     * PerturbationDirection#LAST_ATTACK_STEP} while AWP is active, a target whose last
     * input-gradient computation also keeps the weights' gradients, which {@link #perturb} then
     * turns into {@code v} instead of running a pass of its own. {@code AwpEasyTrain} and {@code
     * AdversarialTrainer} use it; a loop of its own must too.
     *
     * @param trainer the trainer
     * @param attack the training attack
     * @return the target
     * @throws IllegalArgumentException if the direction is {@link
     *     PerturbationDirection#LAST_ATTACK_STEP} and {@code attack} is not a PGD attack (a {@code
     *     PgdAttack} or an attack bound from one, whose last iteration is call steps × restarts)
     */
    public AttackTarget attackTarget(Trainer trainer, Attack attack) {
        requireNonNull(trainer, "trainer");
        requireNonNull(attack, "attack");
        AttackTarget target = AttackTarget.of(trainer);
        if (!isActive()) {
            return target;
        }
        // the attack's last iteration may compute the next v's gradients: the last v goes first
        releaseBuffers();
        return direction.attackTarget(target, attack);
    }

    /** The tensors the selection picks in the block, chosen once per block. */
    private List<Pair<String, Parameter>> selection(Block block) {
        return selections.computeIfAbsent(block, b -> PerturbedTensors.select(b, spec.tensors()));
    }

    /**
     * Perturbs the weights by {@code v} for a DJL batch; see {@link #perturb(Trainer, Objective,
     * NDArray, NDArray, NDArray)}.
     *
     * @param trainer the trainer of the model; borrowed, never closed
     * @param objective the training objective
     * @param batch the batch (its first data and label arrays are used)
     * @param xAdv the adversarial inputs from the attack
     * @return the applied perturbation; close it after {@code trainer.step()}
     */
    public AppliedPerturbation perturb(
            Trainer trainer, Objective objective, Batch batch, NDArray xAdv) {
        requireNonNull(batch, "batch");
        return perturb(trainer, objective, batch.getData().head(), batch.getLabels().head(), xAdv);
    }

    /**
     * Delegates the update to the wrapped optimizer and restores a perturbed tensor after (or
     * before) it, per the {@link StepOrder}.
     *
     * @param parameterId the parameter's id
     * @param weight the live weight
     * @param grad its gradient
     */
    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        PerturbedTensor perturbed = pending.get(parameterId);
        stage.update(
                parameterId,
                weight,
                perturbed == null ? null : perturbed.v(),
                () -> updateAndRestore(parameterId, weight, grad));
    }

    /** The wrapped optimizer's update, with the restore of a perturbed tensor around it. */
    private void updateAndRestore(String parameterId, NDArray weight, NDArray grad) {
        PerturbedTensor restore = pending.remove(parameterId);
        if (restore == null) {
            base.update(parameterId, weight, grad);
            return;
        }
        if (spec.stepOrder() == StepOrder.RESTORE_THEN_UPDATE) {
            restore.restore();
            if (pending.isEmpty()) {
                current = null;
            }
            base.update(parameterId, weight, grad);
            return;
        }
        try {
            base.update(parameterId, weight, grad);
        } catch (RuntimeException | Error e) {
            // the update did not complete: back to w, as if it had not run
            restore.restore();
            if (pending.isEmpty()) {
                current = null;
            }
            throw e;
        }
        weight.subi(restore.v());
        restore.markRestored();
        if (pending.isEmpty()) {
            // the step restored every tensor: nothing is applied any more
            current = null;
        }
    }

    /**
     * Takes {@code trainer.step()} with every update proved finite before it is kept, without a
     * copy of the model: each parameter's value before its update waits in the parameter's gradient
     * array, which the optimizer has consumed; after the step one sum per updated weight and one
     * host read check the updates; the gradient arrays are then zeroed (as DJL's kernels leave
     * them). The perturbed tensors are restored by the step as in {@code trainer.step()}.
     *
     * <p>If an updated weight is NaN or infinite (a NaN learning rate, an update that overflows),
     * every updated weight gets its value before the step back — bit for bit, or, for a perturbed
     * tensor, {@code (w + v) − v}, the reference's restore — and the step throws. If the wrapped
     * optimizer throws, the parameters updated before keep their update and the others, restored,
     * their value before the step.
     *
     * @param trainer the trainer whose optimizer this is
     * @throws NonFiniteValueException if an updated weight is not finite ({@code "update of
     *     <parameter>"}); the weights are as before the step
     * @throws IllegalStateException if the step did not go through this optimizer (it is not the
     *     trainer's optimizer): the trainer's optimizer has updated the weights at {@code w + v},
     *     {@code v} is subtracted, and the caller should put its own copy of the weights back
     */
    public void step(Trainer trainer) {
        requireNonNull(trainer, "trainer");
        Map<String, String> names = new HashMap<>();
        boolean trainable = false;
        for (Pair<String, Parameter> entry : trainer.getModel().getBlock().getParameters()) {
            Parameter parameter = entry.getValue();
            names.put(parameter.getId(), entry.getKey());
            trainable |= parameter.requiresGradient() && parameter.isInitialized();
        }
        UpdateStage verifying = UpdateStage.verifying(names);
        stage = verifying;
        try {
            trainer.step();
        } catch (RuntimeException | Error e) {
            verifying.release();
            throw e;
        } finally {
            stage = UpdateStage.DIRECT;
        }
        if (verifying.updates() == 0 && trainable) {
            restorePerturbation();
            throw new IllegalStateException(
                    "trainer.step() did not go through the AwpOptimizer: it is not the trainer's"
                            + " optimizer. Configure the trainer with it"
                            + " (DefaultTrainingConfig.optOptimizer(awp)); AwpEasyTrain.trainStep"
                            + " put every weight back to its value before the step");
        }
        stepped.add(trainer);
        verifying.commit();
    }

    /**
     * Whether a {@link #step(Trainer)} of this trainer has gone through this optimizer, which
     * proves that it is the trainer's optimizer (a trainer's optimizer never changes).
     *
     * @param trainer the trainer
     * @return true after the first step through this optimizer
     */
    public boolean hasStepped(Trainer trainer) {
        return stepped.contains(trainer);
    }

    /**
     * Whether weights are perturbed now: between {@link #perturb} and the {@code trainer.step()}
     * that restores them (or the {@link AppliedPerturbation#close() close} of the perturbation).
     *
     * @return true while some tensor holds {@code w + v}
     */
    public boolean hasAppliedPerturbation() {
        return current != null;
    }

    /**
     * Restores every tensor still perturbed to its {@code w} ({@code w ← (w + v) − v}, the
     * reference's restore) and ends the applied perturbation; does nothing when no perturbation is
     * applied. For loops that abandon a batch between {@link #perturb} and {@code trainer.step()}.
     */
    public void restorePerturbation() {
        if (current != null) {
            restore(current);
        }
    }

    /** Restores every tensor still perturbed; called by {@link AppliedPerturbation#close()}. */
    void restore(AppliedPerturbation applied) {
        if (applied != current) {
            return;
        }
        current = null;
        RuntimeException failure = null;
        for (PerturbedTensor restore : pending.values()) {
            try {
                restore.restore();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        pending.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Frees the storage of the last step's {@code v} ({@link VBuffers}), which no one reads once
     * its step is over (the verified step's rollback included); does nothing while a perturbation
     * is applied.
     */
    private void releaseBuffers() {
        if (current == null && pending.isEmpty()) {
            buffers.release();
        }
    }

    /** The wrapper has no options of its own: the wrapped optimizer holds them. */
    private static final class NoOptions extends OptimizerBuilder<NoOptions> {
        @Override
        protected NoOptions self() {
            return this;
        }
    }
}
