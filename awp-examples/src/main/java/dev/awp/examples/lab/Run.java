package dev.awp.examples.lab;

import dev.awp.djl.diagnostics.LandscapeResult;
import dev.awp.djl.diagnostics.PerturbationComparison;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import java.util.List;

/** One training run and its measurements. */
record Run(
        Method method,
        long seed,
        List<EpochMetrics> epochs,
        double bestRobust,
        int bestEpoch,
        Accuracy lastRobust,
        double lastClean,
        double lastTrainRobust,
        double lastGap,
        LandscapeResult landscape,
        PerturbationComparison comparison,
        double seconds) {

    /** A run from its history: best and last test robust accuracy, gap, clean accuracy. */
    static Run of(
            Method method,
            long seed,
            List<EpochMetrics> history,
            LandscapeResult landscape,
            PerturbationComparison comparison,
            double seconds) {
        EpochMetrics last = history.get(history.size() - 1);
        double bestRobust = -1;
        int bestEpoch = -1;
        for (EpochMetrics m : history) {
            if (m.robustAccuracy().isPresent() && m.robustAccuracy().get().value() > bestRobust) {
                bestRobust = m.robustAccuracy().get().value();
                bestEpoch = m.epoch();
            }
        }
        return new Run(
                method,
                seed,
                history,
                bestRobust,
                bestEpoch,
                last.robustAccuracy().orElseThrow(),
                last.cleanAccuracy().map(Accuracy::value).orElse(Double.NaN),
                last.trainRobustAccuracy().map(Accuracy::value).orElse(Double.NaN),
                last.robustGap().orElse(Double.NaN),
                landscape,
                comparison,
                seconds);
    }

    double drop() {
        return bestRobust - lastRobust.value();
    }

    double exampleHalfWidth() {
        return (lastRobust.upper() - lastRobust.lower()) / 2;
    }
}
