package dev.awp.djl.data;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.Batchifier;
import com.google.common.primitives.Ints;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The batches of an epoch order, the part every awp dataset shares: batch {@code b} holds the
 * examples {@code order[b·batchSize, min((b + 1)·batchSize, n))}, is read into its own sub-manager
 * (closed if reading throws, else by the batch's user) and carries its positions in the order as
 * the batch's indices. Subclasses read the examples.
 */
abstract class OrderedBatches implements Iterator<Batch> {

    private final NDManager manager;
    private final int[] order;
    private final int batchSize;
    private final int total;
    private int next;

    /**
     * @param manager the manager the batches' sub-managers are opened from
     * @param order the epoch order, positions into the dataset
     * @param batchSize the batch size
     * @param total the number of batches to build
     */
    OrderedBatches(NDManager manager, int[] order, int batchSize, int total) {
        this.manager = manager;
        this.order = order;
        this.batchSize = batchSize;
        this.total = total;
    }

    @Override
    public final boolean hasNext() {
        return next < total;
    }

    @Override
    public final Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no batch after the last of " + total);
        }
        int batchIndex = next++;
        int from = batchIndex * batchSize;
        int to = Math.min(from + batchSize, order.length);
        NDManager batchManager = manager.newSubManager();
        try {
            NDList xy = read(batchManager, batchIndex, from, to);
            return new Batch(
                    batchManager,
                    new NDList(xy.get(0)),
                    new NDList(xy.get(1)),
                    to - from,
                    Batchifier.STACK,
                    Batchifier.STACK,
                    batchIndex + 1L,
                    total,
                    Collections.unmodifiableList(Ints.asList(order).subList(from, to)));
        } catch (RuntimeException e) {
            batchManager.close();
            throw e;
        }
    }

    /**
     * The dataset position of the {@code i}-th example of the order.
     *
     * @param i a position in the order
     * @return the example's position in the dataset
     */
    final int orderAt(int i) {
        return order[i];
    }

    /**
     * Reads the examples {@code order[from, to)} as inputs and class labels.
     *
     * @param batchManager the batch's manager, which must own both arrays
     * @param batchIndex the batch's index in the epoch, from 0
     * @param from the first position in the order
     * @param to the position after the last
     * @return the inputs {@code (B, …)} and the labels {@code (B)}
     */
    abstract NDList read(NDManager batchManager, int batchIndex, int from, int to);
}
