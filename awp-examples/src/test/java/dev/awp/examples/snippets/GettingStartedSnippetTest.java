package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GettingStartedSnippetTest {

    @Test
    void should_train_and_evaluate_a_robust_model() {
        GettingStartedSnippet.Result result = GettingStartedSnippet.run(32, 10, 1);
        assertThat(result.lastLoss()).isFinite();
        assertThat(result.cleanAccuracy()).isBetween(0.0, 1.0);
        assertThat(result.robustAccuracy()).isBetween(0.0, result.cleanAccuracy());
    }
}
