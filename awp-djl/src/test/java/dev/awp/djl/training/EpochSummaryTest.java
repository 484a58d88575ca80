package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.event.EpochEnded;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EpochSummaryTest {

    static final EpochMetrics METRICS =
            EpochMetrics.builder()
                    .epoch(2)
                    .learningRate(0.1)
                    .trainLoss(1.92345)
                    .trainAdversarialAccuracy(Accuracy.of(312, 1000))
                    .awpActive(true)
                    .cleanAccuracy(Accuracy.of(481, 1000))
                    .robustAccuracy(Accuracy.of(297, 1000))
                    .trainRobustAccuracy(Accuracy.of(305, 1000))
                    .elapsedSeconds(41.23)
                    .build();

    @Test
    void should_print_one_line_per_epoch_with_every_measured_accuracy() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EpochSummary.to(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .onEpochEnded(
                        EpochEnded.builder()
                                .training(TinyRuns.spec().withEpochs(10))
                                .metrics(METRICS)
                                .build());

        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo(
                        "Epoch 3/10: lr 0.1000, loss 1.9235, train adv acc 0.312, AWP on, clean"
                                + " 0.481, robust 0.297, train robust 0.305 (41.2 s)"
                                + System.lineSeparator());
    }
}
