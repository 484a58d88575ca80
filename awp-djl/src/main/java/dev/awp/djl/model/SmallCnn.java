package dev.awp.djl.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * A small VGG-style network with BatchNorm that trains in seconds per epoch on a CPU: for examples,
 * tests, smoke runs and the {@link dev.awp.djl.data.SyntheticShapes} dataset.
 *
 * <pre>
 * [normalization] →
 * conv3×3(w)  → bn → relu → conv3×3(w)  → bn → relu → maxpool 2×2 →        32×32 → 16×16
 * conv3×3(2w) → bn → relu → conv3×3(2w) → bn → relu → maxpool 2×2 →        16×16 → 8×8
 * conv3×3(4w) → bn → relu → global average pooling →                       8×8 → 1×1
 * linear(hidden) → relu → linear(numClasses)
 * </pre>
 *
 * <p>Convolutions have no bias (BatchNorm follows them); the linear layers have one. The global
 * average pooling makes the classifier translation-invariant, which lets it learn from a few
 * thousand images. With the defaults (w = 16, hidden = 128) and 10 classes the network has 44,922
 * trainable parameters and 7 weight tensors of rank ≥ 2 (the tensors AWP perturbs), and one epoch
 * of 5,000 32×32 images takes about 3 s on two CPU cores (plain training; PGD-10 adversarial
 * training costs about 11 times as much). Weights start with DJL's defaults: Kaiming-normal with
 * fan-in for weights, zero biases.
 *
 * <pre>{@code
 * Block net = SmallCnn.builder().setNumClasses(10).build();
 * }</pre>
 */
public final class SmallCnn {

    private SmallCnn() {}

    /**
     * Starts a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures and builds a {@link SmallCnn}. */
    public static final class Builder {
        private int numClasses;
        private int width = 16;
        private int hiddenUnits = 128;
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
         * Sets the width w: the first two convolutions have w channels, the next two 2w, the last
         * 4w. The cost of a forward pass grows as w². Default 16.
         *
         * @param width the width, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code width < 1}
         */
        public Builder optWidth(int width) {
            checkArgument(width >= 1, "width must be >= 1 but was %s", width);
            this.width = width;
            return this;
        }

        /**
         * Sets the size of the hidden linear layer. Default 128.
         *
         * @param hiddenUnits the number of hidden units, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code hiddenUnits < 1}
         */
        public Builder optHiddenUnits(int hiddenUnits) {
            checkArgument(hiddenUnits >= 1, "hiddenUnits must be >= 1 but was %s", hiddenUnits);
            this.hiddenUnits = hiddenUnits;
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
         * Builds the network. Its input is {@code (B, C, H, W)} with H and W at least 4 (typically
         * {@code (B, 3, 32, 32)}); its output is the logits, {@code (B, numClasses)}.
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
            net.add("stage1", stage(width));
            net.add("stage2", stage(2 * width));
            net.add(
                    "head",
                    new NamedSequence()
                            .add("conv", Layers.conv(4 * width, 3, 1))
                            .add("bn", BatchNorm.builder().build())
                            .add("relu", Activation.reluBlock())
                            .add("pool", Pool.globalAvgPool2dBlock())
                            .add("linear1", Linear.builder().setUnits(hiddenUnits).build())
                            .add("relu1", Activation.reluBlock())
                            .add("linear2", Linear.builder().setUnits(numClasses).build()));
            return net;
        }

        private static Block stage(int channels) {
            return new NamedSequence()
                    .add("conv1", Layers.conv(channels, 3, 1))
                    .add("bn1", BatchNorm.builder().build())
                    .add("relu1", Activation.reluBlock())
                    .add("conv2", Layers.conv(channels, 3, 1))
                    .add("bn2", BatchNorm.builder().build())
                    .add("relu2", Activation.reluBlock())
                    .add("pool", Pool.maxPool2dBlock(new Shape(2, 2)));
        }
    }
}
