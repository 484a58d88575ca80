package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExistingLoopExampleTest {

    @Test
    void should_train_with_awp_in_a_plain_djl_loop() throws Exception {
        ExistingLoopExample.Result result =
                ExistingLoopExample.runExample("--epochs", "3", "--train", "192");
        assertThat(result.epochLosses()).hasSize(3).allMatch(Double::isFinite);
        assertThat(result.perturbedSteps()).isEqualTo(3 * 3);
        assertThat(result.epochLosses().get(2)).isLessThan(result.epochLosses().get(0));
    }
}
