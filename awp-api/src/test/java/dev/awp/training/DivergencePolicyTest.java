package dev.awp.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.awp.event.TrainingWarning;
import dev.awp.event.WarningKind;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DivergencePolicyTest {

    @Nested
    class Defaults {

        @Test
        void should_stop_detect_collapse_and_leave_the_fgsm_check_off() {
            DivergencePolicy policy = DivergencePolicy.stop();

            assertThat(policy.action()).isEqualTo(DivergenceAction.STOP);
            assertThat(policy.detectCollapse()).isTrue();
            assertThat(policy.collapseMargin()).isEqualTo(0.02);
            assertThat(policy.catastrophicOverfittingGap()).isZero();
            assertThat(Recipes.atAwp().divergence()).isEqualTo(policy);
        }

        @Test
        void should_retry_twice_at_half_the_learning_rate() {
            DivergencePolicy retry = DivergencePolicy.retryWithLowerLearningRate();

            assertThat(retry.action()).isEqualTo(DivergenceAction.RETRY_WITH_LOWER_LEARNING_RATE);
            assertThat(retry.learningRateFactor()).isEqualTo(0.5);
            assertThat(retry.maxRetries()).isEqualTo(2);
        }
    }

    @Nested
    class Validation {

        @Test
        void should_name_the_attribute_and_the_value() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> DivergencePolicy.builder().learningRateFactor(1).build())
                    .withMessage("learningRateFactor must be in (0, 1) but was 1.0");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> DivergencePolicy.builder().maxRetries(0).build())
                    .withMessageContaining("maxRetries must be >= 1 but was 0");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> DivergencePolicy.builder().collapseMargin(0).build())
                    .withMessage("collapseMargin must be in (0, 1) but was 0.0");
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    DivergencePolicy.builder()
                                            .catastrophicOverfittingGap(-0.1)
                                            .build())
                    .withMessage("catastrophicOverfittingGap must be in [0, 1) but was -0.1");
        }

        @Test
        void should_refuse_a_warning_outside_the_run_or_without_a_message() {
            AdversarialTraining spec = Recipes.atAwp().withEpochs(3);
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    TrainingWarning.builder()
                                            .training(spec)
                                            .epoch(0)
                                            .kind(WarningKind.DIVERGENCE)
                                            .message(" ")
                                            .build())
                    .withMessageContaining("message must not be blank");
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    TrainingWarning.builder()
                                            .training(spec)
                                            .epoch(3)
                                            .kind(WarningKind.DIVERGENCE)
                                            .message("x")
                                            .build())
                    .withMessageContaining("epoch");
        }
    }
}
