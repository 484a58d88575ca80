package dev.awp.djl.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;

/**
 * Labelled examples for classification, as the trainer, the evaluator and the diagnostics read
 * them: seeded, reproducible training batches and fixed evaluation batches, whatever the input
 * shape. {@link ImageDataset} is the in-memory implementation for images.
 *
 * <p><b>Batch contract.</b> A batch's only data array is the inputs {@code x}, float32 of shape
 * {@code (B, inputShape...)} within the input domain the attacks assume ([0, 1] for images by
 * default), and its only label array is {@code y}, the int64 class indices {@code (B)} in {@code
 * [0, numClasses())}. Each batch owns a sub-manager of the given manager, on its device; the caller
 * closes it.
 *
 * <p><b>Determinism.</b> {@link #trainingBatches} is a function of {@code (seed, epoch)} only: the
 * same arguments give the same batches, bit for bit, whatever was iterated before; {@link
 * #subset(int, long)} is a function of its seed.
 */
public interface ClassificationData {

    /**
     * A short name for reports and progress output.
     *
     * @return the name
     */
    String name();

    /**
     * The number of examples.
     *
     * @return at least 1
     */
    int size();

    /**
     * The number of classes; labels are in {@code [0, numClasses())}.
     *
     * @return at least 2
     */
    int numClasses();

    /**
     * The shape of one input, without the batch axis: {@code (C, H, W)} for images, {@code (F)} for
     * feature vectors. The trainer initializes the model with {@code (1, inputShape...)}.
     *
     * @return the shape
     */
    Shape inputShape();

    /**
     * The number of batches of an epoch, the last one possibly smaller.
     *
     * @param batchSize the batch size, at least 1
     * @return {@code ceil(size() / batchSize)}
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    int numBatches(int batchSize);

    /**
     * The batches of one training epoch, in an order and with an augmentation that are functions of
     * {@code (seed, epoch)}.
     *
     * @param manager the manager whose sub-managers own the batches; its device is the batches'
     * @param batchSize the batch size, at least 1
     * @param seed the run's seed
     * @param epoch the 0-based epoch
     * @param augmentation the augmentation; implementations that cannot apply it reject anything
     *     but {@link Augmentation#none()}
     * @return the batches; the caller closes each
     */
    Iterable<Batch> trainingBatches(
            NDManager manager, int batchSize, long seed, int epoch, Augmentation augmentation);

    /**
     * The batches of an evaluation pass: every example once, in dataset order, not augmented.
     *
     * @param manager the manager whose sub-managers own the batches; its device is the batches'
     * @param batchSize the batch size, at least 1
     * @return the batches; the caller closes each
     */
    Iterable<Batch> evaluationBatches(NDManager manager, int batchSize);

    /**
     * A seeded random subset, stratified or not as the implementation documents.
     *
     * @param size the number of examples, in {@code [1, size()]}
     * @param seed the seed that draws them
     * @return the subset
     * @throws IllegalArgumentException if {@code size} is out of range
     */
    ClassificationData subset(int size, long seed);
}
