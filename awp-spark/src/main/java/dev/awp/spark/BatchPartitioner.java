package dev.awp.spark;

import java.util.Arrays;
import org.apache.spark.Partitioner;

/**
 * Sends every example of a batch to one partition and splits the batches still to compute into
 * {@code partitions} consecutive runs of nearly equal length, so that a partition evaluates whole
 * batches, exactly the batches one JVM would form.
 */
final class BatchPartitioner extends Partitioner {

    private static final long serialVersionUID = 1L;

    /** The batches to compute, ascending. */
    private final int[] batches;

    private final int partitions;

    BatchPartitioner(int[] batches, int partitions) {
        this.batches = batches.clone();
        this.partitions = Math.max(1, Math.min(partitions, batches.length));
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        int position = Arrays.binarySearch(batches, (Integer) key);
        if (position < 0) {
            throw new IllegalStateException("batch " + key + " is not one to compute");
        }
        return (int) ((long) position * partitions / batches.length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BatchPartitioner that
                && that.partitions == partitions
                && Arrays.equals(that.batches, batches);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(batches) + partitions;
    }
}
