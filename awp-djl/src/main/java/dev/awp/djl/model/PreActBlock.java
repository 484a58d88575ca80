package dev.awp.djl.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A pre-activation residual block (He et al., 2016), shared by PreActResNet-18 and the wide ResNet
 * of TRADES/AWP:
 *
 * <pre>
 * a   = relu(bn1(x))
 * out = conv2(dropout(relu(bn2(conv1(a)))))           3×3 convolutions, no bias; conv1 has the stride
 * y   = out + (shortcut ? conv1x1(a) : x)              1×1 convolution, no BatchNorm, no bias
 * </pre>
 *
 * <p>The shortcut convolution exists when the stride is not 1 or the width changes. It reads the
 * pre-activated {@code a}, not {@code x}, as in both reference implementations.
 */
final class PreActBlock extends AbstractBlock {

    private final int inChannels;
    private final BatchNorm bn1;
    private final Conv2d conv1;
    private final BatchNorm bn2;
    private final Dropout dropout;
    private final Conv2d conv2;
    private final Conv2d shortcut;

    PreActBlock(int inChannels, int outChannels, int stride, float dropoutRate) {
        checkArgument(inChannels > 0, "inChannels must be > 0 but was %s", inChannels);
        checkArgument(outChannels > 0, "outChannels must be > 0 but was %s", outChannels);
        checkArgument(stride > 0, "stride must be > 0 but was %s", stride);
        this.inChannels = inChannels;
        bn1 = addChildBlock("bn1", BatchNorm.builder().build());
        conv1 = addChildBlock("conv1", Layers.conv(outChannels, 3, stride));
        bn2 = addChildBlock("bn2", BatchNorm.builder().build());
        dropout =
                dropoutRate > 0
                        ? addChildBlock("dropout", Dropout.builder().optRate(dropoutRate).build())
                        : null;
        conv2 = addChildBlock("conv2", Layers.conv(outChannels, 3, 1));
        shortcut =
                stride != 1 || inChannels != outChannels
                        ? addChildBlock("shortcut", Layers.conv(outChannels, 1, stride))
                        : null;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        // every intermediate output is freed once the layers reading it have run (Intermediates)
        NDList normalized = bn1.forward(parameterStore, inputs, training, params);
        NDList a = Activation.relu(normalized);
        Intermediates.release(normalized);
        NDList convolved = conv1.forward(parameterStore, a, training, params);
        NDList h = bn2.forward(parameterStore, convolved, training, params);
        Intermediates.release(convolved);
        NDList activated = Activation.relu(h);
        Intermediates.release(h);
        if (dropout != null) {
            NDList dropped = dropout.forward(parameterStore, activated, training, params);
            Intermediates.release(activated, dropped);
            activated = dropped;
        }
        NDList out = conv2.forward(parameterStore, activated, training, params);
        Intermediates.release(activated);
        NDList residual =
                shortcut == null ? inputs : shortcut.forward(parameterStore, a, training, params);
        Intermediates.release(a);
        NDArray sum = out.singletonOrThrow().add(residual.singletonOrThrow());
        Intermediates.release(out);
        if (residual != inputs) {
            Intermediates.release(residual);
        }
        return new NDList(sum);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv2.getOutputShapes(conv1.getOutputShapes(inputShapes));
    }

    /** {@inheritDoc} */
    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        super.beforeInitialize(inputShapes);
        Shape input = inputShapes[0];
        checkArgument(
                input.dimension() == 4 && input.get(1) == inChannels,
                "input shape must be (B, %s, H, W) but was %s",
                inChannels,
                input);
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        bn1.initialize(manager, dataType, inputShapes);
        conv1.initialize(manager, dataType, inputShapes);
        Shape[] hidden = conv1.getOutputShapes(inputShapes);
        bn2.initialize(manager, dataType, hidden);
        if (dropout != null) {
            dropout.initialize(manager, dataType, hidden);
        }
        conv2.initialize(manager, dataType, hidden);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
