package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.Batchifier;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchNormStatistics}: after the pass, a BatchNorm layer's running mean and variance are
 * the averages, over the batches (each counting once), of the batch means and unbiased batch
 * variances of its input, computed here in Java doubles from the data; whatever the layer's
 * momentum, and with every other parameter untouched.
 */
class BatchNormStatisticsTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Batches of 5, 5 and 3 rows of 3 features, the last smaller, values shifted per batch. */
    private static List<float[][]> data() {
        Random random = new Random(7);
        List<float[][]> batches = new ArrayList<>();
        for (int size : new int[] {5, 5, 3}) {
            float[][] rows = new float[size][3];
            for (float[] row : rows) {
                for (int c = 0; c < 3; c++) {
                    row[c] = (float) (random.nextGaussian() * (c + 1) + batches.size() + c);
                }
            }
            batches.add(rows);
        }
        return batches;
    }

    private List<Batch> batches(List<float[][]> data) {
        List<Batch> batches = new ArrayList<>();
        for (float[][] rows : data) {
            NDManager owner = manager.newSubManager();
            NDArray x = owner.create(rows);
            NDArray y = owner.zeros(new Shape(rows.length), DataType.INT64);
            batches.add(
                    new Batch(
                            owner,
                            new NDList(x),
                            new NDList(y),
                            rows.length,
                            Batchifier.STACK,
                            Batchifier.STACK,
                            batches.size(),
                            data.size()));
        }
        return batches;
    }

    @Test
    void should_set_the_cumulative_average_of_the_batch_statistics() {
        // identity-initialized linear layer first, so the BatchNorm input is the data itself
        SequentialBlock block =
                new SequentialBlock()
                        .add(Linear.builder().setUnits(3).optBias(false).build())
                        .add(BatchNorm.builder().optMomentum(0.7f).build());
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
        List<NDArray> others = new ArrayList<>();
        NDArray mean = null;
        NDArray variance = null;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter p = pair.getValue();
            if (p.getType() == Parameter.Type.WEIGHT) {
                p.getArray().set(new ai.djl.ndarray.index.NDIndex("..."), manager.eye(3));
            }
            if (p.getType() == Parameter.Type.RUNNING_MEAN) {
                mean = p.getArray();
                mean.set(new ai.djl.ndarray.index.NDIndex("..."), 42f);
            } else if (p.getType() == Parameter.Type.RUNNING_VAR) {
                variance = p.getArray();
            } else {
                others.add(p.getArray());
            }
        }
        List<float[]> before = others.stream().map(NDArray::toFloatArray).toList();
        List<float[][]> data = data();

        int count = BatchNormStatistics.recompute(block, batches(data), manager);

        double[] expectedMean = new double[3];
        double[] expectedVariance = new double[3];
        for (float[][] rows : data) {
            for (int c = 0; c < 3; c++) {
                double m = 0;
                for (float[] row : rows) {
                    m += row[c];
                }
                m /= rows.length;
                double v = 0;
                for (float[] row : rows) {
                    v += (row[c] - m) * (row[c] - m);
                }
                v /= rows.length - 1;
                expectedMean[c] += m / data.size();
                expectedVariance[c] += v / data.size();
            }
        }
        assertThat(count).isEqualTo(3);
        float[] actualMean = mean.toFloatArray();
        float[] actualVariance = variance.toFloatArray();
        for (int c = 0; c < 3; c++) {
            assertThat((double) actualMean[c]).isCloseTo(expectedMean[c], within(1e-5));
            assertThat((double) actualVariance[c])
                    .isCloseTo(expectedVariance[c], within(1e-5 * expectedVariance[c]));
        }
        for (int i = 0; i < others.size(); i++) {
            assertThat(others.get(i).toFloatArray()).isEqualTo(before.get(i));
        }
    }

    @Test
    void should_leave_a_block_without_batch_norm_alone() {
        Linear linear = Linear.builder().setUnits(2).build();
        linear.initialize(manager, DataType.FLOAT32, new Shape(1, 3));

        assertThat(BatchNormStatistics.hasBatchNorm(linear)).isFalse();
        assertThat(BatchNormStatistics.recompute(linear, batches(data()), manager)).isZero();
    }
}
