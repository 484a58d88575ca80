package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeSnippetTest {

    @Test
    void should_continue_after_the_saved_epoch(@TempDir Path dir) throws Exception {
        assertThat(ResumeSnippet.train(dir, 16, 1)).isZero();
        assertThat(dir.resolve("robust-cnn-0000.params")).exists();
        assertThat(ResumeSnippet.train(dir, 16, 2)).isEqualTo(1);
        assertThat(ResumeSnippet.train(dir, 16, 2)).isEqualTo(2);
    }
}
