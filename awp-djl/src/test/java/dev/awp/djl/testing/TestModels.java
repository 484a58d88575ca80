package dev.awp.djl.testing;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** Tiny models and trainers for tests. */
public final class TestModels {
    private TestModels() {}

    /**
     * {@link #convBn()}'s DJL parameter names → the names of the same tensors in the fixtures of
     * {@code make_fixtures.py} and {@code make_bn_fixtures.py} (PyTorch's {@code ConvBnNet}).
     */
    public static final Map<String, String> CONV_BN_FIXTURE_NAMES =
            Map.of(
                    "01Conv2d_weight", "conv_weight",
                    "02BatchNorm_gamma", "bn_gamma",
                    "02BatchNorm_beta", "bn_beta",
                    "02BatchNorm_runningMean", "bn_running_mean",
                    "02BatchNorm_runningVar", "bn_running_var",
                    "06Linear_weight", "fc_weight",
                    "06Linear_bias", "fc_bias");

    /** The 3-4-3 MLP of spec §9: {@code relu(x W1ᵀ + b1) W2ᵀ + b2}. */
    public static Block mlp() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(4).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(3).build());
    }

    /**
     * A small conv net with BatchNorm: conv3x3(3→4) → BN → ReLU → global average pool → linear(3).
     */
    public static Block convBn() {
        return new SequentialBlock()
                .add(
                        Conv2d.builder()
                                .setKernelShape(new Shape(3, 3))
                                .optPadding(new Shape(1, 1))
                                .setFilters(4)
                                .optBias(false)
                                .build())
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(3).build());
    }

    /** Wraps a block so that its forward throws while {@code fail} is set. */
    public static Block failing(Block inner, AtomicBoolean fail) {
        return new SequentialBlock()
                .add(inner)
                .add(
                        new LambdaBlock(
                                list -> {
                                    if (fail.get()) {
                                        throw new IllegalStateException("injected failure");
                                    }
                                    return list;
                                }));
    }

    /** An SGD optimizer with fixed learning rate, momentum and weight decay. */
    public static Optimizer sgd(float lr, float momentum, float weightDecay) {
        return Optimizer.sgd()
                .setLearningRateTracker(Tracker.fixed(lr))
                .optMomentum(momentum)
                .optWeightDecays(weightDecay)
                .build();
    }

    /** A model with the block, in the given data type. */
    public static Model model(String name, Block block, DataType type) {
        Model model = Model.newInstance(name);
        model.setBlock(block);
        model.setDataType(type);
        return model;
    }

    /** A trainer for the model, initialized for the input shape. */
    public static Trainer trainer(Model model, Optimizer optimizer, Shape inputShape) {
        Trainer trainer =
                model.newTrainer(
                        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                .optOptimizer(optimizer));
        trainer.initialize(inputShape);
        return trainer;
    }

    /** Copies of every parameter array of the block, by name, in {@code manager}. */
    public static Map<String, NDArray> snapshot(Block block, NDManager manager) {
        Map<String, NDArray> copy = new LinkedHashMap<>();
        for (var pair : block.getParameters()) {
            NDArray array = pair.getValue().getArray().duplicate();
            array.attach(manager);
            copy.put(pair.getKey(), array);
        }
        return copy;
    }

    /** The live array of the named parameter. */
    public static NDArray parameter(Block block, String name) {
        Parameter parameter = block.getParameters().get(name);
        if (parameter == null) {
            throw new IllegalArgumentException(
                    "no parameter " + name + " in " + block.getParameters().keys());
        }
        return parameter.getArray();
    }

    /** Sets a parameter's values from row-major doubles. */
    public static void set(Block block, String name, double[] values) {
        NDArray array = parameter(block, name);
        try (NDArray source =
                array.getManager()
                        .create(values, array.getShape())
                        .toType(array.getDataType(), false)) {
            array.set(source.toByteBuffer());
        }
    }

    /**
     * {@code trainer.step()}, except for float64 models: DJL 0.36's {@code Trainer.checkGradients}
     * reads the gradient sum with {@code getFloat()} and throws on float64, so for those this makes
     * the calls {@code LocalParameterServer.update} makes on one device (the gradient duplicated,
     * then {@code optimizer.update} per trainable parameter).
     */
    public static void step(Trainer trainer, Optimizer optimizer) {
        Block block = trainer.getModel().getBlock();
        if (trainer.getModel().getDataType() != DataType.FLOAT64) {
            trainer.step();
            return;
        }
        for (var pair : block.getParameters()) {
            Parameter parameter = pair.getValue();
            if (!parameter.requiresGradient()) {
                continue;
            }
            NDArray weight = parameter.getArray();
            try (NDArray gradient = weight.getGradient();
                    NDArray copy = gradient.duplicate()) {
                optimizer.update(parameter.getId(), weight, copy);
            }
        }
    }

    /**
     * Lets {@code trainer.step()} run on a float64 model: DJL 0.36's one-time {@code
     * Trainer.checkGradients} reads the gradient sum with {@code getFloat()} and throws on float64,
     * so this marks the check as done (reflection on the private {@code gradientsChecked} flag;
     * test-only). The step itself ({@code ParameterStore.updateAllParameters}) handles float64.
     */
    public static void skipFloat32GradientCheck(Trainer trainer) {
        try {
            java.lang.reflect.Field checked = Trainer.class.getDeclaredField("gradientsChecked");
            checked.setAccessible(true);
            checked.setBoolean(trainer, true);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DJL's Trainer changed: no gradientsChecked flag", e);
        }
    }

    /** Runs the block and returns the first output (inference or training mode). */
    public static NDArray forward(Trainer trainer, NDArray x, boolean training) {
        NDList out = training ? trainer.forward(new NDList(x)) : trainer.evaluate(new NDList(x));
        return out.head();
    }
}
