package dev.awp.djl.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * PreActResNet-18 for 32×32 inputs, the model of the AT-AWP recipe (He et al., <a
 * href="https://arxiv.org/abs/1603.05027">Identity Mappings in Deep Residual Networks</a>), exactly
 * as in the AWP reference code:
 *
 * <ol>
 *   <li>optional {@link Normalization};
 *   <li>{@code stem}: 3×3 convolution to 64 channels, stride 1, no bias;
 *   <li>{@code stage1}..{@code stage4}: two pre-activation blocks each, widths 64/128/256/512, the
 *       first block of a stage with stride 1/2/2/2; a block's shortcut is a 1×1 convolution (no
 *       BatchNorm, no bias) applied to {@code relu(bn(x))} when the stride or the width changes;
 *   <li>{@code head}: BatchNorm → ReLU → 4×4 average pooling → flatten → linear layer with bias.
 * </ol>
 *
 * <p>For 10 classes: 11,172,170 trainable parameters, and 21 weight tensors of rank ≥ 2 (the
 * tensors AWP perturbs: 20 convolution kernels and the classifier matrix). Weights start as in
 * PyTorch's defaults, which the reference keeps: convolution and linear weights \( U(\pm
 * 1/\sqrt{\text{fan-in}}) \), linear bias \( U(\pm 1/\sqrt{512}) \), BatchNorm scale 1 and shift 0.
 * An initializer set in the DJL {@code TrainingConfig} takes precedence.
 *
 * <pre>{@code
 * Block net = PreActResNet18.builder()
 *         .setNumClasses(10)
 *         .optNormalization(Normalization.cifar10())
 *         .build();
 * }</pre>
 */
public final class PreActResNet18 {

    private static final int[] WIDTHS = {64, 128, 256, 512};
    private static final int[] STRIDES = {1, 2, 2, 2};
    private static final int BLOCKS_PER_STAGE = 2;

    private PreActResNet18() {}

    /**
     * Starts a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures and builds a PreActResNet-18. */
    public static final class Builder {
        private int numClasses;
        private Normalization normalization;

        private Builder() {}

        /**
         * Sets the number of classes, the size of the output. Required.
         *
         * @param numClasses the number of classes, at least 2
         * @return this builder
         * @throws IllegalArgumentException if {@code numClasses < 2}
         */
        public Builder setNumClasses(int numClasses) {
            checkArgument(numClasses >= 2, "numClasses must be >= 2 but was %s", numClasses);
            this.numClasses = numClasses;
            return this;
        }

        /**
         * Places an input normalization before the first convolution, so that the model takes
         * inputs in [0, 1]. Default: none.
         *
         * @param normalization the normalization
         * @return this builder
         * @throws NullPointerException if {@code normalization} is null
         */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = requireNonNull(normalization, "normalization");
            return this;
        }

        /**
         * Builds the network. Its input is {@code (B, 3, 32, 32)}; its output is the logits, {@code
         * (B, numClasses)}.
         *
         * @return a new, uninitialized block
         * @throws IllegalStateException if the number of classes was not set
         */
        public Block build() {
            checkState(numClasses != 0, "numClasses must be set: call setNumClasses(..)");
            NamedSequence net = new NamedSequence();
            if (normalization != null) {
                net.add("normalization", normalization);
            }
            net.add("stem", Layers.conv(WIDTHS[0], 3, 1));
            int in = WIDTHS[0];
            for (int s = 0; s < WIDTHS.length; s++) {
                NamedSequence stage = new NamedSequence();
                for (int b = 0; b < BLOCKS_PER_STAGE; b++) {
                    int stride = b == 0 ? STRIDES[s] : 1;
                    stage.add("block" + (b + 1), new PreActBlock(in, WIDTHS[s], stride, 0f));
                    in = WIDTHS[s];
                }
                net.add("stage" + (s + 1), stage);
            }
            Linear classifier = Linear.builder().setUnits(numClasses).build();
            net.add(
                    "head",
                    new NamedSequence()
                            .add("bn", BatchNorm.builder().build())
                            .add("relu", Activation.reluBlock())
                            .add("pool", Pool.avgPool2dBlock(new Shape(4, 4)))
                            .add("flatten", Blocks.batchFlattenBlock())
                            .add("linear", classifier));
            Layers.initWeights(net, Layers.TORCH_DEFAULT_WEIGHT);
            classifier.setInitializer(Layers.torchDefaultBias(in), Parameter.Type.BIAS);
            return net;
        }
    }
}
