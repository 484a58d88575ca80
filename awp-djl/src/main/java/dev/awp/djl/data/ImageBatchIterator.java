package dev.awp.djl.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.djl.internal.SplitMix64;
import java.nio.ByteBuffer;

/**
 * The batches of an {@link ImageDataset}, in a given order and augmented with each batch's draws.
 * Builds batch after batch, reusing one byte array and one direct buffer: the engine copies the
 * pixels when it converts them to float32, and the uint8 array that aliases the buffer is closed
 * before the next batch overwrites it.
 */
final class ImageBatchIterator extends OrderedBatches {

    /** Draws for one batch; {@code null} when the augmentation draws nothing. */
    interface RandomForBatch {
        SplitMix64 forBatch(int batchIndex);
    }

    private final ImageDataset data;
    private final Augmentation augmentation;
    private final RandomForBatch random;
    private final byte[] pixels;
    private final ByteBuffer buffer;

    ImageBatchIterator(
            ImageDataset data,
            NDManager manager,
            int[] order,
            int batchSize,
            int total,
            Augmentation augmentation,
            RandomForBatch random) {
        super(manager, order, batchSize, total);
        this.data = data;
        this.augmentation = augmentation;
        this.random = random;
        int capacity = Math.min(batchSize, order.length) * data.imageBytes;
        this.pixels = new byte[capacity];
        this.buffer = ByteBuffer.allocateDirect(capacity);
    }

    @Override
    NDList read(NDManager batchManager, int batchIndex, int from, int to) {
        int count = to - from;
        long[] classes = new long[count];
        SplitMix64 rng = augmentation.isIdentity() ? null : random.forBatch(batchIndex);
        for (int i = 0; i < count; i++) {
            int index = orderAt(from + i);
            classes[i] = data.labels[index];
            if (rng == null) {
                System.arraycopy(
                        data.images,
                        index * data.imageBytes,
                        pixels,
                        i * data.imageBytes,
                        data.imageBytes);
            } else {
                augmentation.apply(
                        data.images,
                        index * data.imageBytes,
                        pixels,
                        i * data.imageBytes,
                        data.channels,
                        data.height,
                        data.width,
                        rng);
            }
        }
        int bytes = count * data.imageBytes;
        buffer.clear();
        buffer.put(pixels, 0, bytes);
        buffer.flip();
        NDArray x;
        try (NDArray raw =
                batchManager.create(
                        buffer,
                        new Shape(count, data.channels, data.height, data.width),
                        DataType.UINT8)) {
            x = raw.toType(DataType.FLOAT32, false).divi(255f);
        }
        x.setName("x");
        NDArray y = batchManager.create(classes);
        y.setName("y");
        return new NDList(x, y);
    }
}
