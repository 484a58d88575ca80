package dev.awp.event;

/** Why a checkpoint was written (see {@link dev.awp.training.CheckpointPolicy}). */
public enum CheckpointKind {
    /** The new best epoch by robust validation accuracy; replaces the previous best. */
    BEST,
    /** The latest epoch; replaces the previous one. */
    LAST,
    /** A periodic checkpoint, kept for good. */
    PERIODIC
}
