package dev.awp.djl.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;

/** Building blocks and initializers shared by the models. */
final class Layers {

    /**
     * PyTorch's default for convolution and linear weights, {@code kaiming_uniform_(a = √5)}: \(
     * U(-1/\sqrt{\text{fan-in}}, 1/\sqrt{\text{fan-in}}) \).
     */
    static final Initializer TORCH_DEFAULT_WEIGHT =
            new XavierInitializer(
                    XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1f);

    /**
     * {@code kaiming_normal_(mode = "fan_out", nonlinearity = "relu")}: \( N(0, 2/\text{fan-out})
     * \), the wide ResNet's convolution initialization.
     */
    static final Initializer KAIMING_NORMAL_FAN_OUT =
            new XavierInitializer(
                    XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2f);

    private Layers() {}

    /** A square convolution with "same" padding for odd kernels and no bias. */
    static Conv2d conv(int filters, int kernel, int stride) {
        int pad = (kernel - 1) / 2;
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optBias(false)
                .build();
    }

    /** PyTorch's default bias of a linear layer: \( U(-1/\sqrt{\text{fan-in}}, ...) \). */
    static Initializer torchDefaultBias(long fanIn) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        return (manager, shape, dataType) ->
                manager.randomUniform(-bound, bound, shape, dataType, manager.getDevice());
    }

    /** Sets the initializer of every weight (convolution kernel, linear matrix) in the block. */
    static void initWeights(Block block, Initializer initializer) {
        block.setInitializer(initializer, Parameter.Type.WEIGHT);
    }
}
