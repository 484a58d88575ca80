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
 * Wide residual network WRN-depth-k for 32×32 inputs (Zagoruyko and Komodakis, <a
 * href="https://arxiv.org/abs/1605.07146">Wide Residual Networks</a>), as in the TRADES and AWP
 * reference code; WRN-34-10 is the model of TRADES-AWP and MART-AWP, WRN-28-10 of the
 * semi-supervised recipes.
 *
 * <ol>
 *   <li>optional {@link Normalization};
 *   <li>{@code stem}: 3×3 convolution to 16 channels, no bias;
 *   <li>{@code group1}..{@code group3}: \( n = (\text{depth} - 4) / 6 \) pre-activation blocks
 *       each, widths 16k/32k/64k, the first block of a group with stride 1/2/2; a block is {@code
 *       bn → relu → conv3×3 → bn → relu → dropout → conv3×3}, and its shortcut is a 1×1 convolution
 *       of the pre-activated input when the width changes (the identity otherwise);
 *   <li>{@code head}: BatchNorm → ReLU → 8×8 average pooling → flatten → linear layer with bias.
 * </ol>
 *
 * <p>Initialization as in the reference: convolution kernels Kaiming-normal with fan-out and the
 * ReLU gain, \( N(0, 2/\text{fan-out}) \); BatchNorm scale 1, shift 0; linear bias 0 (the linear
 * weight keeps PyTorch's default \( U(\pm 1/\sqrt{\text{fan-in}}) \)). An initializer set in the
 * DJL {@code TrainingConfig} takes precedence. The reference's unused {@code sub_block1} is left
 * out: it has parameters but no part in the forward pass.
 *
 * <p>For 10 classes: WRN-34-10 has 46,160,474 trainable parameters and 35 weight tensors of rank ≥
 * 2 (the tensors AWP perturbs); WRN-28-10 has 36,479,194 and 29.
 *
 * <pre>{@code
 * Block wrn = WideResNet.builder().setDepth(34).setWidenFactor(10).setNumClasses(10).build();
 * }</pre>
 */
public final class WideResNet {

    private WideResNet() {}

    /**
     * Starts a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures and builds a wide ResNet. */
    public static final class Builder {
        private int depth;
        private int widenFactor;
        private int numClasses;
        private float dropout;
        private Normalization normalization;

        private Builder() {}

        /**
         * Sets the depth. Required.
         *
         * @param depth the number of layers with weights, of the form {@code 6n + 4} with {@code n
         *     >= 1} (e.g. 28, 34)
         * @return this builder
         * @throws IllegalArgumentException if {@code depth} is not {@code 6n + 4} for some {@code n
         *     >= 1}
         */
        public Builder setDepth(int depth) {
            checkArgument(
                    depth >= 10 && (depth - 4) % 6 == 0,
                    "depth must be 6n + 4 with n >= 1 (e.g. 28, 34) but was %s",
                    depth);
            this.depth = depth;
            return this;
        }

        /**
         * Sets the widen factor k. Required.
         *
         * @param widenFactor the factor, at least 1 (10 in the AWP recipes)
         * @return this builder
         * @throws IllegalArgumentException if {@code widenFactor < 1}
         */
        public Builder setWidenFactor(int widenFactor) {
            checkArgument(widenFactor >= 1, "widenFactor must be >= 1 but was %s", widenFactor);
            this.widenFactor = widenFactor;
            return this;
        }

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
         * Sets the dropout rate inside each block, between the two convolutions. Default 0 (no
         * dropout layer at all), as in the AWP recipes.
         *
         * @param dropout the rate, in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if {@code dropout} is not in [0, 1)
         */
        public Builder optDropout(float dropout) {
            checkArgument(
                    dropout >= 0 && dropout < 1, "dropout must be in [0, 1) but was %s", dropout);
            this.dropout = dropout;
            return this;
        }

        /**
         * Places an input normalization before the first convolution, so that the model takes
         * inputs in [0, 1]. Default: none (the TRADES and MART recipes feed [0, 1] inputs).
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
         * @throws IllegalStateException if the depth, the widen factor or the number of classes was
         *     not set
         */
        public Block build() {
            checkState(depth != 0, "depth must be set: call setDepth(..)");
            checkState(widenFactor != 0, "widenFactor must be set: call setWidenFactor(..)");
            checkState(numClasses != 0, "numClasses must be set: call setNumClasses(..)");
            int blocksPerGroup = (depth - 4) / 6;
            int[] widths = {16 * widenFactor, 32 * widenFactor, 64 * widenFactor};
            int[] strides = {1, 2, 2};

            NamedSequence net = new NamedSequence();
            if (normalization != null) {
                net.add("normalization", normalization);
            }
            net.add("stem", Layers.conv(16, 3, 1));
            int in = 16;
            for (int g = 0; g < widths.length; g++) {
                NamedSequence group = new NamedSequence();
                for (int b = 0; b < blocksPerGroup; b++) {
                    int stride = b == 0 ? strides[g] : 1;
                    group.add("block" + (b + 1), new PreActBlock(in, widths[g], stride, dropout));
                    in = widths[g];
                }
                net.add("group" + (g + 1), group);
            }
            Linear classifier = Linear.builder().setUnits(numClasses).build();
            net.add(
                    "head",
                    new NamedSequence()
                            .add("bn", BatchNorm.builder().build())
                            .add("relu", Activation.reluBlock())
                            .add("pool", Pool.avgPool2dBlock(new Shape(8, 8)))
                            .add("flatten", Blocks.batchFlattenBlock())
                            .add("linear", classifier));
            Layers.initWeights(net, Layers.KAIMING_NORMAL_FAN_OUT);
            classifier.setInitializer(Layers.TORCH_DEFAULT_WEIGHT, Parameter.Type.WEIGHT);
            return net;
        }
    }
}
