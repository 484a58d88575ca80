package dev.awp.examples.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** The awp side of the forward timing (the reference side needs Python). */
class ForwardTimingTest {

    @Test
    void should_time_awps_forward_per_round() throws Exception {
        double[] medians =
                ForwardTiming.runExample(
                        "--model",
                        "smallcnn",
                        "--batch",
                        "2",
                        "--passes",
                        "2",
                        "--warmup",
                        "1",
                        "--rounds",
                        "2",
                        "--no-reference");

        assertThat(medians[0]).isPositive();
        assertThat(medians[1]).isNaN();
    }

    @Test
    void should_reject_an_unknown_model() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ForwardTiming.runExample("--model", "resnet50"))
                .withMessage("--model must be preactresnet18 or smallcnn but was resnet50");
    }
}
