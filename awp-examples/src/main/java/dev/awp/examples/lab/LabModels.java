package dev.awp.examples.lab;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.initializer.XavierInitializer;
import dev.awp.djl.model.SmallCnn;

/** The lab's model zoo: the networks {@code --model} chooses. */
final class LabModels {

    private LabModels() {}

    /** The network: a CNN without global pooling (memorizes readily) or {@link SmallCnn}. */
    static Block model(LabSettings settings, int numClasses) {
        int w = settings.width();
        if (settings.model().equals("small-cnn")) {
            return SmallCnn.builder().setNumClasses(numClasses).optWidth(w).build();
        }
        return flatCnn(w, numClasses);
    }

    /** The CNN without global pooling or BatchNorm, {@code w} filters in its first layer. */
    static Block flatCnn(int w, int numClasses) {
        SequentialBlock net =
                new SequentialBlock()
                        .add(conv(w))
                        .add(Activation::relu)
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(conv(2 * w))
                        .add(Activation::relu)
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(256).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(numClasses).build());
        // PyTorch's default for convolution and linear weights, U(±1/√fan_in); DJL's default
        // (Xavier, Gaussian, magnitude 2 over fan average) left this network at chance
        net.setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1),
                Parameter.Type.WEIGHT);
        return net;
    }

    private static Conv2d conv(int filters) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(filters)
                .build();
    }
}
