package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.training.AveragingKind;
import dev.awp.training.ExtraSource;
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

    @Test
    void should_bind_several_sources_by_name() {
        AdversarialTrainer trainer =
                ExtraDataSnippet.severalSources(
                        SyntheticShapes.train(64, 0),
                        SyntheticShapes.test(32, 0),
                        SyntheticShapes.train(64, 1),
                        SyntheticShapes.train(64, 2));

        assertThat(trainer.training().extraSources())
                .extracting(ExtraSource::name)
                .containsExactly("pseudo-labelled", "generated");
    }
}
