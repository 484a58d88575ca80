package dev.awp.djl.attack;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import dev.awp.attack.BatchNormMode;
import dev.awp.djl.internal.GradientSuspension;
import dev.awp.djl.internal.NativeSelfCheck;
import dev.awp.djl.internal.WeightLeaves;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The model an attack queries: logits for an input, in inference or training BatchNorm mode, and
 * the trainable weights whose gradients attacks switch off.
 *
 * <p>Create one with {@link #of(Trainer)} during training or {@link #of(Block)} for evaluation.
 * Every attack, training step and evaluation starts by creating one, so the factories are where the
 * first of them in a process checks the engine's native kernels: a float32 convolution and linear
 * layer, forward and backward, against a float64 reference (about 0.1 s, once per process and
 * device). If the kernels are wrong, as PyTorch 2.7.1's oneDNN is on AMD Zen 5 CPUs unless the JVM
 * starts with the environment variable {@code ONEDNN_MAX_CPU_ISA=AVX}, they throw an {@link
 * IllegalStateException} saying what was wrong and how to fix it, and keep throwing it. Start the
 * JVM with {@code -Dawp.nativeSelfCheck=false} to skip the check.
 */
public abstract class AttackTarget {

    AttackTarget() {}

    /**
     * Runs the model.
     *
     * @param x the inputs
     * @param mode {@link BatchNormMode#EVAL} for inference mode, {@link BatchNormMode#TRAIN} for
     *     training mode (batch statistics; BatchNorm running statistics are updated)
     * @return the logits (the model's first output), attached to {@code x}'s manager
     */
    public abstract NDArray logits(NDArray x, BatchNormMode mode);

    /**
     * The block under attack.
     *
     * @return the block
     */
    public abstract Block block();

    /**
     * The arrays of the block's trainable parameters, those that require gradients when training.
     *
     * @return the live parameter arrays
     */
    final List<NDArray> trainableArrays() {
        List<NDArray> arrays = new ArrayList<>();
        for (Parameter parameter : block().getParameters().values()) {
            if (parameter.requiresGradient() && parameter.isInitialized()) {
                arrays.add(parameter.getArray());
            }
        }
        return arrays;
    }

    /**
     * The scope of one input gradient's backward ({@link InputGradients}): the trainable weights do
     * not require gradients, so the backward computes the input gradient only.
     *
     * @return the scope to close after the backward
     */
    GradientSuspension inputGradientScope() {
        return GradientSuspension.suspend(trainableArrays());
    }

    /**
     * This target, whose {@code call}-th input gradient (counting from 1) also computes the
     * gradients of the weights {@code leaves} covers, for a caller that wants the weight gradient
     * of an attack's last iteration without a pass of its own: AWP's {@link
     * dev.awp.perturbation.PerturbationDirection#LAST_ATTACK_STEP}. That call's forward runs the
     * block through a parameter store that serves each covered weight as its leaf (the mode is the
     * attack's; the other parameters, running statistics included, are the live ones), so the
     * gradients land in {@code leaves} ({@link WeightLeaves#takeGradient}) and the model's own
     * gradient arrays are not touched. Every other call, and every forward, is this target's.
     *
     * @param call the input-gradient computation whose backward keeps the weight gradients, at
     *     least 1 (for PGD: steps × restarts, the last iteration)
     * @param leaves the weights whose gradients to keep, and where they go; borrowed
     * @return the target
     * @throws IllegalArgumentException if {@code call < 1}
     */
    public final AttackTarget withWeightGradientsAt(int call, WeightLeaves leaves) {
        checkArgument(call >= 1, "call must be >= 1 but was %s", call);
        requireNonNull(leaves, "leaves");
        AttackTarget inner = this;
        int[] calls = {0};
        boolean[] throughLeaves = {false};
        return new AttackTarget() {
            @Override
            public NDArray logits(NDArray x, BatchNormMode mode) {
                if (!throughLeaves[0]) {
                    return inner.logits(x, mode);
                }
                throughLeaves[0] = false;
                leaves.release();
                ParameterStore store =
                        new ParameterStore(x.getManager(), false) {
                            @Override
                            public NDArray getValue(
                                    Parameter parameter, Device device, boolean training) {
                                if (parameter == null) {
                                    return null; // DJL asks for absent parameters (no bias)
                                }
                                return leaves.covers(parameter)
                                        ? leaves.leaf(parameter)
                                        : parameter.getArray();
                            }
                        };
                return block().forward(store, new NDList(x), mode == BatchNormMode.TRAIN).head();
            }

            @Override
            public Block block() {
                return inner.block();
            }

            @Override
            GradientSuspension inputGradientScope() {
                calls[0]++;
                throughLeaves[0] = calls[0] == call;
                return inner.inputGradientScope();
            }
        };
    }

    /**
     * A target that runs the trainer's model through the trainer ({@code Trainer.forward} in
     * training mode, {@code Trainer.evaluate} in inference mode).
     *
     * @param trainer the trainer; borrowed, never closed
     * @return the target
     * @throws IllegalStateException if the engine's native kernels compute wrong results on one of
     *     the trainer's devices (see the class documentation), or if a {@code GradientCollector} is
     *     open when the first target of the process is created
     */
    public static AttackTarget of(Trainer trainer) {
        requireNonNull(trainer, "trainer");
        NativeSelfCheck.verify(trainer);
        return new AttackTarget() {
            @Override
            public NDArray logits(NDArray x, BatchNormMode mode) {
                NDList input = new NDList(x);
                NDList out =
                        mode == BatchNormMode.TRAIN
                                ? trainer.forward(input)
                                : trainer.evaluate(input);
                return out.head();
            }

            @Override
            public Block block() {
                return trainer.getModel().getBlock();
            }
        };
    }

    /**
     * A target that runs an initialized block directly, for evaluation outside a trainer.
     *
     * @param block the initialized block
     * @return the target
     * @throws IllegalStateException if the engine's native kernels compute wrong results on the
     *     block's device (see the class documentation), or if a {@code GradientCollector} is open
     *     when the first target of the process is created
     */
    public static AttackTarget of(Block block) {
        requireNonNull(block, "block");
        NDArray weight = block.getParameters().valueAt(0).getArray();
        NativeSelfCheck.verify(weight);
        // no copies are made on the parameters' own device; the store borrows their manager
        // rather than creating a base manager nobody would close
        ParameterStore store = new ParameterStore(weight.getManager(), false);
        return new AttackTarget() {
            @Override
            public NDArray logits(NDArray x, BatchNormMode mode) {
                return block.forward(store, new NDList(x), mode == BatchNormMode.TRAIN).head();
            }

            @Override
            public Block block() {
                return block;
            }
        };
    }

    /**
     * This target, counting queries: every call of {@link #logits(NDArray, BatchNormMode)} passes
     * the number of examples it ran (the first dimension of its input) to {@code queries}. The
     * evaluator measures each attack's cost with it.
     *
     * @param queries receives the number of examples of each forward pass
     * @return a target running the same model
     * @throws NullPointerException if {@code queries} is null
     */
    public final AttackTarget counting(LongConsumer queries) {
        requireNonNull(queries, "queries");
        AttackTarget inner = this;
        return new AttackTarget() {
            @Override
            public NDArray logits(NDArray x, BatchNormMode mode) {
                queries.accept(x.getShape().get(0));
                return inner.logits(x, mode);
            }

            @Override
            public Block block() {
                return inner.block();
            }
        };
    }
}
