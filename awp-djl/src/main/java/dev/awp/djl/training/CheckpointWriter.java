package dev.awp.djl.training;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.optimizer.Optimizer;
import dev.awp.event.CheckpointKind;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Writes the checkpoints the {@link CheckpointPolicy} asks for after an epoch — best (when the
 * epoch is the new best), periodic, last, in that order — from the run's {@link RunState}, into the
 * {@link RunDirectory} (none for {@link RunDirectory#NONE}), and reports each with {@link
 * RunEvents#checkpointWritten}.
 */
final class CheckpointWriter {

    private final CheckpointPolicy policy;
    private final RunIdentity identity;
    private final RunDirectory directory;
    private final RunEvents events;
    private final Block block;
    private final Optimizer optimizer;
    private final NDManager manager;
    private final AveragedWeights averaged;

    /**
     * A writer for one run.
     *
     * @param spec the run's specification: its checkpoint policy and identity
     * @param directory where the files go
     * @param events where the writes are reported
     * @param block the model's block, whose parameters are saved
     * @param optimizer the base optimizer, whose state is saved if it is resumable
     * @param manager the parent of the temporary managers of the optimizer state (the trainer's)
     * @param averaged the run's weight average, written as the model with the raw weights beside
     */
    CheckpointWriter(
            AdversarialTraining spec,
            RunDirectory directory,
            RunEvents events,
            Block block,
            Optimizer optimizer,
            NDManager manager,
            AveragedWeights averaged) {
        this.policy = spec.checkpoints();
        this.identity = RunIdentity.of(spec);
        this.directory = directory;
        this.events = events;
        this.block = block;
        this.optimizer = optimizer;
        this.manager = manager;
        this.averaged = averaged;
    }

    /**
     * Writes the checkpoints due after the epoch before {@code state.nextEpoch()}.
     *
     * @param state the run's state after the epoch
     * @throws UncheckedIOException if a checkpoint cannot be written
     */
    void afterEpoch(RunState state) {
        int epoch = state.nextEpoch() - 1;
        if (state.isBest(epoch) && policy.keepBest()) {
            write(state, epoch, CheckpointKind.BEST);
        }
        if (policy.writesPeriodicAt(epoch)) {
            write(state, epoch, CheckpointKind.PERIODIC);
        }
        if (policy.keepLast()) {
            write(state, epoch, CheckpointKind.LAST);
        }
    }

    private void write(RunState state, int epoch, CheckpointKind kind) {
        directory.checkpoint(kind, epoch).ifPresent(file -> write(state, epoch, kind, file));
    }

    private void write(RunState state, int epoch, CheckpointKind kind, Path file) {
        try (NDManager scope = manager.newSubManager()) {
            NDList optimizerState = ResumableOptimizer.checkpointState(optimizer, block, scope);
            Checkpoint.write(
                    file, new Checkpoint.State(identity, state), block, optimizerState, averaged);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint " + file, e);
        }
        events.checkpointWritten(epoch, kind, file);
    }
}
