package dev.awp.djl.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.testing.TestModels;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Optimizer runs on the conv-BN test model: straight, or interrupted, saved, encoded, decoded in a
 * manager that is closed before the state is loaded into a fresh model, and continued.
 */
final class OptimizerRuns {
    static final Shape INPUT = new Shape(8, 3, 6, 6);
    private static final long[] LABELS = {0, 1, 2, 0, 1, 2, 0, 1};

    private OptimizerRuns() {}

    /** Trains a fresh model for {@code steps} steps; returns its parameters by name. */
    static Map<String, float[]> straight(Optimizer optimizer, int steps) {
        Engine.getInstance().setRandomSeed(5);
        try (Model model = TestModels.model("straight", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, optimizer, INPUT)) {
            train(trainer, 0, steps);
            return TinyRuns.weights(model);
        }
    }

    /**
     * Trains {@code before} steps with {@code first}, saves and encodes its state, decodes it in a
     * sub-manager and closes that, collects garbage and churns memory with arrays of the state's
     * sizes, then loads the state into {@code second} for a fresh model holding the same weights
     * (new parameter ids) and trains {@code after} more steps; returns the parameters by name.
     */
    static <T extends Optimizer & ResumableOptimizer> Map<String, float[]> resumed(
            T first, T second, int before, int after) {
        Engine.getInstance().setRandomSeed(5);
        byte[] encoded;
        Map<String, float[]> weights;
        try (Model model = TestModels.model("first", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, first, INPUT)) {
            train(trainer, 0, before);
            try (NDManager scope = trainer.getManager().newSubManager()) {
                encoded = first.saveState(model.getBlock(), scope).encode();
            }
            weights = TinyRuns.weights(model);
        }
        try (Model model = TestModels.model("second", TestModels.convBn(), DataType.FLOAT32);
                Trainer trainer = TestModels.trainer(model, second, INPUT)) {
            Block block = model.getBlock();
            for (var entry : block.getParameters()) {
                NDArray array = entry.getValue().getArray();
                try (NDArray saved = array.getManager().create(weights.get(entry.getKey()))) {
                    array.set(saved.toByteBuffer());
                }
            }
            List<Shape> shapes = new ArrayList<>();
            try (NDManager decoding = trainer.getManager().newSubManager()) {
                NDList state = NDList.decode(decoding, encoded);
                state.forEach(array -> shapes.add(array.getShape()));
                second.loadState(block, state);
            }
            churn(shapes);
            train(trainer, before, after);
            return TinyRuns.weights(model);
        }
    }

    /**
     * Frees what the garbage collector can and reuses it: many arrays and direct buffers of the
     * given shapes, filled with junk, so that anything still pointing into freed memory reads junk.
     */
    static void churn(List<Shape> shapes) {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 200; i++) {
                try (NDManager junk = NDManager.newBaseManager()) {
                    for (Shape shape : shapes) {
                        float[] values = new float[Math.toIntExact(shape.size())];
                        Arrays.fill(values, 1e6f + i);
                        junk.create(values, shape).addi(3f);
                        ByteBuffer direct = ByteBuffer.allocateDirect(4 * values.length);
                        while (direct.hasRemaining()) {
                            direct.put((byte) 0x7f);
                        }
                    }
                }
            }
        }
    }

    /** Steps {@code first} to {@code first + count - 1}, each on its own deterministic batch. */
    static void train(Trainer trainer, int first, int count) {
        for (int step = first; step < first + count; step++) {
            try (NDManager data = trainer.getManager().newSubManager()) {
                NDArray x = data.create(inputs(step), INPUT);
                NDArray y = data.create(LABELS);
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(x)).head();
                    collector.backward(Losses.perExampleCrossEntropy(logits, y).mean());
                }
                trainer.step();
            }
        }
    }

    private static float[] inputs(int step) {
        float[] values = new float[Math.toIntExact(INPUT.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (0.5 + 0.5 * Math.sin(0.37 * i + 1.3 * step));
        }
        return values;
    }
}
