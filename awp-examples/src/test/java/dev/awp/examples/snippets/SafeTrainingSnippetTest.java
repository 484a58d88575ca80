package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.event.TrainingWarning;
import dev.awp.report.TrainingReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTrainingSnippetTest {

    @Test
    void should_train_and_continue_from_the_best_checkpoint(@TempDir Path dir) {
        List<TrainingWarning> warnings = new ArrayList<>();
        TrainingReport report = SafeTrainingSnippet.run(dir, warnings);

        assertThat(report.epochs()).hasSize(2);
        assertThat(dir.resolve("again/checkpoints/last.ckpt")).exists();
        // a healthy run: nothing diverged or collapsed
        assertThat(warnings)
                .extracting(TrainingWarning::kind)
                .doesNotContain(
                        dev.awp.event.WarningKind.DIVERGENCE, dev.awp.event.WarningKind.ROLLBACK);
    }
}
