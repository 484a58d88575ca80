package dev.awp.examples.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetAdapterBenchmarkTest {

    @Test
    void should_measure_both_datasets_without_growing_the_live_arrays() {
        List<DatasetAdapterBenchmark.Measurement> results =
                DatasetAdapterBenchmark.runExample(
                        "--batches", "5", "--size", "64", "--batch-size", "16");

        assertThat(results)
                .extracting(DatasetAdapterBenchmark.Measurement::inputShape)
                .containsExactly(new Shape(3, 32, 32), new Shape(20));
        assertThat(results)
                .allSatisfy(
                        m -> {
                            assertThat(m.liveAfter()).isEqualTo(m.liveBefore());
                            assertThat(m.adapterMillis()).isPositive();
                        });
    }
}
