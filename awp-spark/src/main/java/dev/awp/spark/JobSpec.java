package dev.awp.spark;

import java.io.Serializable;
import java.nio.file.Path;

/** What every task of one evaluation job needs to know, shipped with the job. */
final class JobSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    final ModelSource model;
    final EvaluatorFactory evaluator;
    final String dataset;
    final int examples;
    final int batchSize;
    final int channels;
    final int height;
    final int width;
    final int numClasses;
    private final String output;

    JobSpec(SparkEvaluation settings, ModelSource model, int examples, int batchSize) {
        this.model = model;
        this.evaluator = settings.evaluator;
        this.dataset = settings.dataset;
        this.examples = examples;
        this.batchSize = batchSize;
        this.channels = settings.channels;
        this.height = settings.height;
        this.width = settings.width;
        this.numClasses = settings.numClasses;
        this.output = settings.output.toAbsolutePath().toString();
    }

    int imageBytes() {
        return channels * height * width;
    }

    /**
     * The batch of the example at {@code index}.
     *
     * @throws IllegalArgumentException if the index is outside {@code [0, examples)}
     */
    int batchOf(long index) {
        if (index < 0 || index >= examples) {
            throw new IllegalArgumentException(
                    "index must be in [0, " + examples + ") (the number of rows) but was " + index);
        }
        return (int) (index / batchSize);
    }

    PartStore store() {
        return new PartStore(Path.of(output));
    }
}
