package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DiagnosticsSnippetTest {

    @Test
    void should_compute_the_landscape_and_the_comparison() {
        DiagnosticsSnippet.Result result = DiagnosticsSnippet.run(8, 3);
        assertThat(result.landscape().alphas()).containsExactly(-1, 0, 1);
        assertThat(
                        java.util.Arrays.stream(result.landscape().adversarialLoss())
                                .allMatch(Double::isFinite))
                .isTrue();
        assertThat(result.comparison().adversarialIncrease()).isPositive();
    }
}
