package dev.awp.djl.internal;

import ai.djl.util.Progress;

/**
 * The null object of DJL's {@link Progress}: every method does nothing. The trainer and the
 * evaluator use it for {@code optNoProgress()}, so that no code path checks for a missing progress
 * bar.
 */
public final class NoProgress implements Progress {

    /** The one instance; it holds no state. */
    public static final Progress INSTANCE = new NoProgress();

    private NoProgress() {}

    @Override
    public void reset(String message, long max, String trailingMessage) {}

    @Override
    public void start(long initialProgress) {}

    @Override
    public void end() {}

    @Override
    public void increment(long increment) {}

    @Override
    public void update(long progress, String message) {}
}
