package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.training.AveragingKind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtraDataSnippetTest {

    @Test
    void should_pseudo_label_the_pool_and_train_rst_awp_with_an_ema(@TempDir Path dir) {
        ExtraDataSnippet.Outcome outcome = ExtraDataSnippet.run(dir.resolve("rst"), 64, 64, 2);

        assertThat(outcome.pseudoLabelAccuracy().total()).isEqualTo(64);
        assertThat(outcome.report().extraData()).contains("0.5 of each batch from");
        assertThat(outcome.report().training().weightAveraging().kind())
                .isEqualTo(AveragingKind.EMA);
        // 64 labelled images, 16 per batch of 32: 4 batches of 32 per epoch
        assertThat(outcome.report().epochs().get(0).trainAdversarialAccuracy().total())
                .isEqualTo(128);
        assertThat(outcome.rawWeights()).exists();
        assertThat(dir.resolve("rst-pool.labels.json")).exists();
    }
}
