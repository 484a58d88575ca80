package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import dev.awp.attack.BatchNormMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The model an attack queries: logits for an input, in inference or training BatchNorm mode, and
 * the trainable weights whose gradients attacks switch off.
 *
 * <p>Create one with {@link #of(Trainer)} during training or {@link #of(Block)} for evaluation.
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
     * A target that runs the trainer's model through the trainer ({@code Trainer.forward} in
     * training mode, {@code Trainer.evaluate} in inference mode).
     *
     * @param trainer the trainer; borrowed, never closed
     * @return the target
     */
    public static AttackTarget of(Trainer trainer) {
        requireNonNull(trainer, "trainer");
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
     */
    public static AttackTarget of(Block block) {
        requireNonNull(block, "block");
        // no copies are made on the parameters' own device; the store borrows their manager
        // rather than creating a base manager nobody would close
        ParameterStore store =
                new ParameterStore(block.getParameters().valueAt(0).getArray().getManager(), false);
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
