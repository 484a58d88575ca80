package dev.awp.djl.evaluation;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.testing.FeatureBox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SanityChecksTest {

    static final ThreatModel BOX = ThreatModel.linf(0.25, FeatureBox.DOMAIN);

    NDManager manager;
    NDArray x;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        x = FeatureBox.inputs(manager, 8, 1);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Nested
    class FeatureBoundsOfTheInputs {
        @Test
        void should_accept_inputs_on_and_inside_the_bounds() {
            assertThatCode(() -> SanityChecks.checkBounds(x, BOX, 0)).doesNotThrowAnyException();
        }

        @Test
        void should_name_the_batch_feature_example_and_value_outside_the_bounds() {
            x.set(new NDIndex("3, 0"), 1200f);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> SanityChecks.checkBounds(x, BOX, 4))
                    .withMessageStartingWith(
                            "inputs must be within the threat model's per-feature bounds but in"
                                    + " batch 4 the only value outside, feature 0 of example 3,"
                                    + " was 1200.0 (bounds [0.0, 1000.0])");
        }

        @Test
        void should_reject_nan_inputs() {
            x.set(new NDIndex("1, 2"), Float.NaN);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> SanityChecks.checkBounds(x, BOX, 0))
                    .withMessageContaining("some values were NaN");
        }
    }

    @Nested
    class AttackOutputs {
        final Attack fgsm = Attacks.fgsm().withThreatModel(BOX);

        @Test
        void should_reject_outputs_outside_the_feature_bounds_though_inside_their_envelope() {
            // a count of 10.2: inside [-1, 1000], outside the count's [0, 10]
            NDArray xs = manager.create(new float[] {500, 10, 0}, new Shape(1, 3));
            NDArray adv = manager.create(new float[] {500, 10.2f, 0}, new Shape(1, 3));
            assertThatIllegalStateException()
                    .isThrownBy(() -> SanityChecks.checkThreatModel(fgsm, xs, adv))
                    .withMessageContaining("per-feature bounds")
                    .withMessageContaining("feature 1 of example 0, was 10.2");
        }

        @Test
        void should_allow_float32_rounding_at_the_scale_of_the_inputs() {
            // x + ε rounded to float32 next to 1000 overshoots ε by 0.3 ulp = 1.8e-5
            double eps = 0.25 + 0.7 * Math.ulp(1000f);
            Attack attack = Attacks.fgsm().withThreatModel(BOX.withEpsilon(eps));
            NDArray xs = manager.create(new float[] {999, 5, 0}, new Shape(1, 3));
            NDArray adv = manager.create(new float[] {(float) (999 + eps), 5, 0}, new Shape(1, 3));
            assertThatCode(() -> SanityChecks.checkThreatModel(attack, xs, adv))
                    .doesNotThrowAnyException();
        }
    }
}
