package dev.awp.djl.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.Norm;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.testing.FeatureBox;
import org.junit.jupiter.api.Test;

/** {@link Projection}: the ε-ball and the per-feature domain for custom attacks. */
class ProjectionTest {

    private static final double EPSILON = 2.0;

    @Test
    void linf_projection_should_stay_in_the_ball_and_the_per_feature_bounds() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = FeatureBox.inputs(manager, 64, 1);
            ThreatModel tm = ThreatModel.linf(EPSILON, FeatureBox.DOMAIN);
            NDArray wild = x.add(manager.randomUniform(-50f, 50f, x.getShape()));
            try (Projection ball = Projection.around(x, tm)) {
                NDArray projected = ball.project(wild);

                FeatureBox.assertInsideWithSomeOnABound(projected);
                float distance = projected.sub(x).abs().max().getFloat();
                // float32 rounding of x ± ε at values up to 1000: one ulp is 6.1e-5
                assertThat(distance).isLessThanOrEqualTo((float) EPSILON + 1e-4f);
                assertThat(projected.getManager()).isSameAs(wild.getManager());
                // the scalar [lowest, highest] box would have let feature 1 reach 1000
                assertThat(FeatureBox.outside(wild.clip(-1, 1000))).isPositive();
            }
        }
    }

    @Test
    void l2_projection_should_shrink_each_example_to_epsilon_then_clip() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = FeatureBox.inputs(manager, 32, 2);
            ThreatModel tm =
                    ThreatModel.builder()
                            .norm(Norm.L2)
                            .epsilon(EPSILON)
                            .featureBounds(FeatureBox.DOMAIN)
                            .build();
            NDArray wild = x.add(manager.randomNormal(0f, 10f, x.getShape(), x.getDataType()));
            try (Projection ball = Projection.around(x, tm)) {
                NDArray projected = ball.project(wild);

                assertThat(FeatureBox.outside(projected)).isZero();
                float[] norms = projected.sub(x).norm(new int[] {1}).toFloatArray();
                for (float norm : norms) {
                    assertThat(norm).isLessThanOrEqualTo((float) EPSILON * 1.0001f);
                }
            }
        }
    }

    @Test
    void clipToDomain_should_clip_only_to_the_bounds() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = FeatureBox.inputs(manager, 16, 3);
            NDArray far = x.add(500f);
            try (Projection ball =
                    Projection.around(x, ThreatModel.linf(EPSILON, FeatureBox.DOMAIN))) {
                NDArray clipped = ball.clipToDomain(far);
                assertThat(FeatureBox.outside(clipped)).isZero();
                // feature 0 ranges to 1000: +500 stays where the bound allows, beyond ε
                assertThat(clipped.sub(x).abs().max().getFloat()).isGreaterThan((float) EPSILON);
            }
        }
    }

    @Test
    void should_free_its_arrays_on_close_and_reject_mismatched_bounds() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = FeatureBox.inputs(manager, 8, 4);
            int before = manager.getManagedArrays().size();
            try (Projection ball =
                    Projection.around(x, ThreatModel.linf(EPSILON, FeatureBox.DOMAIN))) {
                ball.project(x.add(1f)).close();
            }
            // the x.add(1f) above is the caller's; everything else the projection made is gone
            assertThat(manager.getManagedArrays().size()).isEqualTo(before + 1);

            NDArray images = manager.zeros(new Shape(2, 1, 2, 2));
            assertThatThrownBy(
                            () ->
                                    Projection.around(
                                            images, ThreatModel.linf(EPSILON, FeatureBox.DOMAIN)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("per-feature bounds");
        }
    }
}
