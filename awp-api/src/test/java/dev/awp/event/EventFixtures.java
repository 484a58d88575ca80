package dev.awp.event;

import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.Recipes;

/** Values shared by the event tests: a 5-epoch AT-AWP run. */
final class EventFixtures {
    static final AdversarialTraining RUN = Recipes.atAwp().withEpochs(5);

    private EventFixtures() {}

    static EpochMetrics metrics(int epoch) {
        return EpochMetrics.builder()
                .epoch(epoch)
                .learningRate(0.1)
                .trainLoss(1.5)
                .trainAdversarialAccuracy(Accuracy.of(300, 1000))
                .awpActive(true)
                .elapsedSeconds(10)
                .build();
    }

    static TrainingReport report() {
        return TrainingReport.builder().training(RUN).addEpoch(metrics(0)).totalSeconds(10).build();
    }
}
