package dev.awp.djl.training;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import dev.awp.training.OptimizerSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The mapping from an {@link OptimizerSpec} to a resumable DJL optimizer, and its restore. Every
 * {@link dev.awp.training.OptimizerKind} has state that checkpoints save and restore by parameter
 * name, and steps bit-identical to DJL's optimizers: {@code SGD} (momentum buffers and step counts,
 * like DJL's {@code Sgd}), {@code ADAM} and {@code ADAMW} (first and second moments and step
 * counts, like DJL's {@code Adam} and {@code AdamW}).
 */
final class Optimizers {

    private Optimizers() {}

    /** The optimizer of a specification, reading its learning rate from {@code learningRate}. */
    static Optimizer create(OptimizerSpec spec, ParameterTracker learningRate) {
        float weightDecay = (float) spec.weightDecay();
        switch (spec.kind()) {
            case SGD:
                return new ResumableSgd(learningRate, (float) spec.momentum(), weightDecay);
            case ADAM:
                return ResumableAdam.adam(
                        learningRate,
                        (float) spec.beta1(),
                        (float) spec.beta2(),
                        (float) spec.epsilon(),
                        weightDecay);
            case ADAMW:
                return ResumableAdam.adamW(
                        learningRate,
                        (float) spec.beta1(),
                        (float) spec.beta2(),
                        (float) spec.epsilon(),
                        weightDecay);
            default:
                throw new IllegalArgumentException(
                        "optimizer.kind must be SGD, ADAM or ADAMW but was " + spec.kind());
        }
    }

    /** Puts a checkpoint's optimizer state into {@code base}. */
    static void restore(Path file, Optimizer base, Block block, NDManager manager) {
        if (!(base instanceof ResumableOptimizer)) {
            throw new IllegalStateException(
                    "optimizer must be resumable but was " + base.getClass().getSimpleName());
        }
        try (NDManager scope = manager.newSubManager()) {
            NDList saved = Checkpoint.readOptimizerState(file, scope);
            if (saved == null) {
                throw new IllegalStateException(
                        "checkpoint "
                                + file
                                + " has no optimizer state to resume from: it was written before"
                                + " this optimizer's state could be saved");
            }
            // loadState copies into the weights' managers: nothing may alias the closing scope
            ((ResumableOptimizer) base).loadState(block, saved);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The state of {@code optimizer} in {@code manager}, or null if it is not resumable. */
    static NDList saveState(Optimizer optimizer, Block block, NDManager manager) {
        return optimizer instanceof ResumableOptimizer resumable
                ? resumable.saveState(block, manager)
                : null;
    }

    /** Puts a state {@link #saveState} returned back; nothing for null. */
    static void loadState(Optimizer optimizer, Block block, NDList state) {
        if (optimizer instanceof ResumableOptimizer resumable && state != null) {
            resumable.loadState(block, state);
        }
    }
}
