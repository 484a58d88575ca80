package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static dev.awp.testing.Rejections.invalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OptimizerSpecTest {

    @Nested
    class Factories {
        @Test
        void should_build_the_reference_sgd() {
            OptimizerSpec sgd = OptimizerSpec.sgd(0.1, 0.9, 5e-4);
            assertThat(sgd.kind()).isEqualTo(OptimizerKind.SGD);
            assertThat(sgd.learningRate()).isEqualTo(0.1);
            assertThat(sgd.momentum()).isEqualTo(0.9);
            assertThat(sgd.weightDecay()).isEqualTo(5e-4);
        }

        @Test
        void should_name_the_update_rule_when_described() {
            assertThat(OptimizerSpec.sgd(0.1, 0.9, 5e-4).describe())
                    .isEqualTo(
                            "SGD (torch.optim.SGD's rule: b ← μb + g + λw, w ← w − ηb), lr 0.1,"
                                    + " momentum 0.9, weight decay 5.0E-4");
            assertThat(OptimizerSpec.adamW(1e-3, 0.01).describe()).startsWith("AdamW, lr 0.001");
            assertThat(OptimizerSpec.adam(1e-3).describe()).startsWith("Adam, lr 0.001");
        }

        @Test
        void should_build_adam_without_weight_decay() {
            OptimizerSpec adam = OptimizerSpec.adam(1e-3);
            assertThat(adam.kind()).isEqualTo(OptimizerKind.ADAM);
            assertThat(adam.learningRate()).isEqualTo(1e-3);
            assertThat(adam.weightDecay()).isEqualTo(0.0);
            assertThat(adam.beta1()).isEqualTo(0.9);
            assertThat(adam.beta2()).isEqualTo(0.999);
            assertThat(adam.epsilon()).isEqualTo(1e-8);
        }

        @Test
        void should_build_adamw_with_decoupled_weight_decay() {
            OptimizerSpec adamW = OptimizerSpec.adamW(1e-3, 0.01);
            assertThat(adamW.kind()).isEqualTo(OptimizerKind.ADAMW);
            assertThat(adamW.learningRate()).isEqualTo(1e-3);
            assertThat(adamW.weightDecay()).isEqualTo(0.01);
        }
    }

    @Nested
    class Defaults {
        private final OptimizerSpec built =
                OptimizerSpec.builder().kind(OptimizerKind.SGD).learningRate(0.05).build();

        @Test
        void should_default_momentum_and_weight_decay_to_the_reference() {
            assertThat(built.momentum()).isEqualTo(0.9);
            assertThat(built.weightDecay()).isEqualTo(5e-4);
        }

        @Test
        void should_default_adam_hyper_parameters() {
            assertThat(built.beta1()).isEqualTo(0.9);
            assertThat(built.beta2()).isEqualTo(0.999);
            assertThat(built.epsilon()).isEqualTo(1e-8);
        }

        @Test
        void should_require_kind_and_learning_rate() {
            assertThatIllegalStateException()
                    .isThrownBy(() -> OptimizerSpec.builder().build())
                    .withMessageContaining("kind")
                    .withMessageContaining("learningRate");
        }

        @Test
        void should_accept_zero_momentum_and_zero_betas() {
            OptimizerSpec spec = built.withMomentum(0).withBeta1(0).withBeta2(0);
            assertThat(spec.momentum()).isEqualTo(0.0);
            assertThat(spec.beta1()).isEqualTo(0.0);
            assertThat(spec.beta2()).isEqualTo(0.0);
        }
    }

    @Nested
    class Validation {
        static Stream<Arguments> invalidValues() {
            OptimizerSpec sgd = OptimizerSpec.sgd(0.1, 0.9, 5e-4);
            OptimizerSpec adam = OptimizerSpec.adam(1e-3);
            return Stream.of(
                    invalid(
                            "zero learningRate",
                            () -> OptimizerSpec.sgd(0, 0.9, 5e-4),
                            "learningRate",
                            "0.0"),
                    invalid(
                            "negative learningRate",
                            () -> OptimizerSpec.adam(-0.1),
                            "learningRate",
                            "-0.1"),
                    invalid(
                            "NaN learningRate",
                            () -> OptimizerSpec.adamW(Double.NaN, 0),
                            "learningRate",
                            "NaN"),
                    invalid(
                            "infinite learningRate",
                            () -> sgd.withLearningRate(Double.POSITIVE_INFINITY),
                            "learningRate",
                            "Infinity"),
                    invalid(
                            "negative momentum",
                            () -> OptimizerSpec.sgd(0.1, -0.1, 5e-4),
                            "momentum",
                            "-0.1"),
                    invalid("momentum of 1", () -> sgd.withMomentum(1), "momentum", "1.0"),
                    invalid("NaN momentum", () -> sgd.withMomentum(Double.NaN), "momentum", "NaN"),
                    invalid(
                            "negative weightDecay",
                            () -> OptimizerSpec.sgd(0.1, 0.9, -5e-4),
                            "weightDecay",
                            "-5.0E-4"),
                    invalid(
                            "infinite weightDecay",
                            () -> OptimizerSpec.adamW(1e-3, Double.POSITIVE_INFINITY),
                            "weightDecay",
                            "Infinity"),
                    invalid("beta1 of 1", () -> adam.withBeta1(1), "beta1", "1.0"),
                    invalid("negative beta1", () -> adam.withBeta1(-0.9), "beta1", "-0.9"),
                    invalid("beta2 above 1", () -> adam.withBeta2(1.5), "beta2", "1.5"),
                    invalid("NaN beta2", () -> adam.withBeta2(Double.NaN), "beta2", "NaN"),
                    invalid("zero epsilon", () -> adam.withEpsilon(0), "epsilon", "0.0"),
                    invalid(
                            "negative epsilon",
                            () -> adam.withEpsilon(-1e-8),
                            "epsilon",
                            "-1.0E-8"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidValues")
        void should_reject_invalid_values(ThrowingCallable call, String attribute, String value) {
            assertRejected(call, attribute, value);
        }
    }
}
