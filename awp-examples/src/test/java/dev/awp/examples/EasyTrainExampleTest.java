package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EasyTrainExampleTest {

    @Test
    void should_fit_then_train_in_djls_loop_shape_and_evaluate() throws Exception {
        EasyTrainExample.Result result =
                EasyTrainExample.runExample("--epochs", "2", "--train", "64", "--test", "32");

        assertThat(result.fitEpochs()).hasSize(2);
        assertThat(result.fitEpochs().get(1).perturbedBatches()).isEqualTo(1);
        assertThat(result.fitEpochs().get(1).trainSize()).isEqualTo(64);
        assertThat(result.fitEpochs().get(1).validation().size()).isEqualTo(32);
        assertThat(result.loopLoss()).isFinite().isLessThan(result.fitEpochs().get(0).trainLoss());
        assertThat(result.test().size()).isEqualTo(32);
        assertThat(result.test().adversarialCorrect()).isBetween(0L, 32L);
    }
}
