package dev.awp.djl.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Guards the engine the tests run on. PyTorch 2.7.1's oneDNN computes wrong float32 convolution
 * input gradients with its AVX2/AVX-512 kernels on AMD Zen 5 (one thread: 40 of 40 cases wrong; two
 * threads: some wrong, some NaN), which made every training test fail there. The build limits
 * oneDNN to AVX ({@code ONEDNN_MAX_CPU_ISA}, property {@code onednn.max.cpu.isa} in the root pom);
 * if that setting is lost, this test says why the training tests fail.
 */
class NativeKernelsTest {

    enum Precision {
        FLOAT32(DataType.FLOAT32),
        FLOAT64(DataType.FLOAT64);

        final DataType type;

        Precision(DataType type) {
            this.type = type;
        }
    }

    /**
     * For {@code L = Σ conv(x, w)} with padding 1 and a 3×3 kernel, every interior pixel of channel
     * c has {@code ∂L/∂x = Σ_{o,i,j} w[o, c, i, j]}.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void should_compute_exact_convolution_input_gradients(Precision precision) {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int channels = 1; channels <= 8; channels++) {
                for (int repeat = 0; repeat < 5; repeat++) {
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray w =
                                scope.randomNormal(new Shape(4, channels, 3, 3))
                                        .toType(precision.type, false);
                        NDArray x =
                                scope.randomNormal(new Shape(16, channels, 16, 16))
                                        .toType(precision.type, false);
                        x.setRequiresGradient(true);
                        try (GradientCollector collector =
                                Engine.getInstance().newGradientCollector()) {
                            NDArray y =
                                    Conv2d.conv2d(
                                                    x,
                                                    w,
                                                    null,
                                                    new Shape(1, 1),
                                                    new Shape(1, 1),
                                                    new Shape(1, 1),
                                                    1)
                                            .head();
                            collector.backward(y.sum());
                        }
                        NDArray expected = w.sum(new int[] {0, 2, 3}).reshape(1, channels, 1, 1);
                        NDArray interior = x.getGradient().get(new NDIndex(":, :, 1:15, 1:15"));
                        double error =
                                interior.sub(expected)
                                        .abs()
                                        .max()
                                        .toType(DataType.FLOAT64, false)
                                        .getDouble();
                        assertThat(error)
                                .as(
                                        "max |dL/dx - expected| for %s channels (if this fails on"
                                                + " AMD Zen 5, ONEDNN_MAX_CPU_ISA=AVX is missing)",
                                        channels)
                                .isLessThan(1e-3);
                    }
                }
            }
        }
    }
}
