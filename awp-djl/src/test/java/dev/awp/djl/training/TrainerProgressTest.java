package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.util.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Progress output of {@link AdversarialTrainer}: configured as the evaluator's is. */
class TrainerProgressTest {

    /** Records what the trainer tells a progress. */
    private static final class Recording implements Progress {
        final List<String> resets = new ArrayList<>();
        int updates;

        @Override
        public void reset(String message, long max, String trailingMessage) {
            resets.add(message + " / " + max);
        }

        @Override
        public void start(long initialProgress) {}

        @Override
        public void end() {}

        @Override
        public void increment(long increment) {}

        @Override
        public void update(long progress, String message) {
            updates++;
            assertThat(message).startsWith("loss ");
        }
    }

    private static String standardOutputOf(Runnable run) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void should_report_each_epochs_batches_to_the_configured_progress() {
        Recording progress = new Recording();
        String out =
                standardOutputOf(
                        () -> {
                            try (Model model = TinyRuns.model()) {
                                TinyRuns.trainer(TinyRuns.spec().withEpochs(2))
                                        .optProgress(progress)
                                        .optSummary(false)
                                        .build()
                                        .fit(model);
                            }
                        });
        assertThat(progress.resets).containsExactly("Epoch 1/2 / 3", "Epoch 2/2 / 3");
        assertThat(progress.updates).isEqualTo(6);
        assertThat(out).as("no summary line").doesNotContain("epoch");
    }

    @Test
    void optNoProgress_should_print_nothing_and_the_summary_should_print_one_line_per_epoch() {
        String quiet =
                standardOutputOf(
                        () -> {
                            try (Model model = TinyRuns.model()) {
                                TinyRuns.trainer(TinyRuns.spec().withEpochs(1)).build().fit(model);
                            }
                        });
        assertThat(quiet).isEmpty();

        String summary =
                standardOutputOf(
                        () -> {
                            try (Model model = TinyRuns.model()) {
                                TinyRuns.trainer(TinyRuns.spec().withEpochs(2))
                                        .optSummary(true)
                                        .build()
                                        .fit(model);
                            }
                        });
        assertThat(summary.lines().filter(line -> !line.isBlank())).hasSize(2);
    }
}
