package dev.awp.djl.training;

import static java.util.Objects.requireNonNull;

import dev.awp.event.EpochEnded;
import dev.awp.event.TrainingEventListener;
import dev.awp.report.EpochMetrics;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints one summary line per epoch, the way DJL's {@code TrainingListener.Defaults.logging()} does
 * for DJL loops. {@link AdversarialTrainer} adds one writing to {@code System.out} unless {@link
 * AdversarialTrainer.Builder#optSummary(boolean)} or {@link
 * AdversarialTrainer.Builder#optNoProgress()} turns it off; add your own with another stream, or
 * log the same line with {@link #line(EpochMetrics, int)}.
 */
public final class EpochSummary implements TrainingEventListener {

    private final PrintStream out;

    private EpochSummary(PrintStream out) {
        this.out = requireNonNull(out, "out");
    }

    /**
     * A listener that prints to {@code System.out}.
     *
     * @return the listener
     */
    public static EpochSummary toStandardOutput() {
        return new EpochSummary(System.out);
    }

    /**
     * A listener that prints to a stream.
     *
     * @param out the stream
     * @return the listener
     * @throws NullPointerException if {@code out} is null
     */
    public static EpochSummary to(PrintStream out) {
        return new EpochSummary(out);
    }

    /**
     * Prints the epoch's line.
     *
     * @param event the epoch's metrics
     */
    @Override
    public void onEpochEnded(EpochEnded event) {
        out.println(line(event.metrics(), event.training().epochs()));
    }

    /**
     * The summary line of an epoch, e.g. {@code Epoch 3/10: lr 0.1, loss 1.9234, train adv acc
     * 0.312, AWP on, clean 0.481, robust 0.297, train robust 0.305 (41.2 s)}.
     *
     * @param m the epoch's metrics
     * @param epochs the run's number of epochs
     * @return the line, numbers formatted with {@link Locale#ROOT}
     */
    public static String line(EpochMetrics m, int epochs) {
        StringBuilder line =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "Epoch %d/%d: lr %.4g, loss %.4f, train adv acc %.3f%s",
                                m.epoch() + 1,
                                epochs,
                                m.learningRate(),
                                m.trainLoss(),
                                m.trainAdversarialAccuracy().value(),
                                m.awpActive() ? ", AWP on" : ""));
        m.cleanAccuracy()
                .ifPresent(a -> line.append(String.format(Locale.ROOT, ", clean %.3f", a.value())));
        m.robustAccuracy()
                .ifPresent(
                        a -> line.append(String.format(Locale.ROOT, ", robust %.3f", a.value())));
        m.trainRobustAccuracy()
                .ifPresent(
                        a ->
                                line.append(
                                        String.format(
                                                Locale.ROOT, ", train robust %.3f", a.value())));
        line.append(String.format(Locale.ROOT, " (%.1f s)", m.elapsedSeconds()));
        return line.toString();
    }
}
