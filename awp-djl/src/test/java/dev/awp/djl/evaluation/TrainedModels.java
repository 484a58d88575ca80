package dev.awp.djl.evaluation;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;

/**
 * Small models for evaluation tests: a narrow {@link SmallCnn} trained briefly (plain, undefended)
 * on {@link SyntheticShapes}, shared by the tests of one JVM, and untrained ones.
 */
public final class TrainedModels {

    private static Model shapes;

    private TrainedModels() {}

    /** The test images the shared model is evaluated on. */
    public static ImageDataset shapesTest() {
        return SyntheticShapes.test(256, 2);
    }

    /**
     * A SmallCnn (width 8, 32 hidden units, 10 classes) trained without attacks for 4 epochs on
     * 1024 SyntheticShapes images; trained once per JVM, never closed. Callers must not change it.
     */
    public static synchronized Model shapes() {
        if (shapes == null) {
            long started = System.nanoTime();
            Engine.getInstance().setRandomSeed(5);
            Model model = untrained(SyntheticShapes.NUM_CLASSES);
            ImageDataset train = SyntheticShapes.train(1024, 1);
            try (Trainer trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                    .optOptimizer(
                                            Optimizer.adam()
                                                    .optLearningRateTracker(Tracker.fixed(0.01f))
                                                    .build()))) {
                trainer.initialize(new Shape(1, 3, 32, 32));
                for (int epoch = 0; epoch < 4; epoch++) {
                    for (Batch batch :
                            train.trainingBatches(
                                    trainer.getManager(), 64, 3, epoch, Augmentation.none())) {
                        try (batch) {
                            EasyTrain.trainBatch(trainer, batch);
                            trainer.step();
                        }
                    }
                }
            }
            shapes = model;
            System.out.printf(
                    "trained the shared SmallCnn in %.1f s%n", (System.nanoTime() - started) / 1e9);
        }
        return shapes;
    }

    /**
     * An untrained, initialized SmallCnn (width 8, 32 hidden units) with the given number of
     * classes.
     */
    public static Model untrained(int classes) {
        Model model = Model.newInstance("small-cnn-" + classes);
        Block block =
                SmallCnn.builder().setNumClasses(classes).optWidth(8).optHiddenUnits(32).build();
        model.setBlock(block);
        model.setDataType(DataType.FLOAT32);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
        return model;
    }
}
