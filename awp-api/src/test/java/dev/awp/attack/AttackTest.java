package dev.awp.attack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AttackTest {

    /** A custom attack that overrides nothing it need not. */
    private static final Attack CUSTOM =
            new Attack() {
                @Override
                public ThreatModel threatModel() {
                    return ThreatModel.linf(8 / 255.0);
                }

                @Override
                public String name() {
                    return "custom";
                }
            };

    @Nested
    class Defaults {
        @Test
        void should_describe_no_parameters_unless_overridden() {
            assertThat(CUSTOM.parameters()).isEmpty();
        }

        @Test
        void should_query_batch_norm_in_inference_mode() {
            assertThat(CUSTOM.batchNormMode()).isEqualTo(BatchNormMode.EVAL);
        }
    }
}
