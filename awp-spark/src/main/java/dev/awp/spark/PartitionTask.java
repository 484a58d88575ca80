package dev.awp.spark;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.Model;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.evaluation.EvaluationPart;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * What one Spark task does with its partition: sorts its rows by index, cuts them into runs of
 * consecutive whole batches, and for each run returns the committed part if a previous attempt
 * committed it, or checks the rows, evaluates the batches ({@link
 * RobustnessEvaluator#evaluatePart}) and commits the part. Returns the parts as JSON.
 *
 * <p>Evaluations in one JVM run one at a time: the tasks share the JVM's loaded model (each attack
 * switches its weight gradients off and back on), and DJL's PyTorch engine allows only one gradient
 * collector per process.
 */
final class PartitionTask implements FlatMapFunction<Iterator<Tuple2<Integer, Row>>, String> {

    private static final long serialVersionUID = 1L;

    /** One evaluation at a time per JVM (shared model, one gradient collector per process). */
    private static final Object ENGINE_LOCK = new Object();

    private final JobSpec spec;
    private final String key;

    PartitionTask(JobSpec spec, String key) {
        this.spec = spec;
        this.key = key;
    }

    @Override
    public Iterator<String> call(Iterator<Tuple2<Integer, Row>> input) {
        List<Row> rows = new ArrayList<>();
        input.forEachRemaining(pair -> rows.add(pair._2()));
        rows.sort(Comparator.comparingLong(row -> row.getLong(0)));
        List<String> parts = new ArrayList<>();
        int start = 0;
        while (start < rows.size()) {
            int end = start;
            int firstBatch = spec.batchOf(rows.get(start).getLong(0));
            int lastBatch = firstBatch;
            while (end < rows.size() && spec.batchOf(rows.get(end).getLong(0)) <= lastBatch + 1) {
                lastBatch = spec.batchOf(rows.get(end).getLong(0));
                end++;
            }
            parts.add(evaluate(rows.subList(start, end), firstBatch, lastBatch));
            start = end;
        }
        return parts.iterator();
    }

    /** The part of batches {@code [firstBatch, lastBatch]}, committed or computed and committed. */
    private String evaluate(List<Row> rows, int firstBatch, int lastBatch) {
        PartStore store = spec.store();
        EvaluationPart committed = store.find(key, firstBatch, lastBatch - firstBatch + 1);
        if (committed != null) {
            return committed.toJson();
        }
        ImageDataset data = images(rows, firstBatch, lastBatch);
        Model model = ExecutorModels.get(spec.model);
        AttackTarget target = AttackTarget.of(model.getBlock());
        RobustnessEvaluator evaluator = spec.evaluator.create();
        String here = evaluator.configurationKey(target, spec.dataset, spec.examples);
        if (!here.equals(key)) {
            throw new IllegalStateException(
                    "the executor's model and evaluator must give the driver's configuration key"
                            + " but gave "
                            + here
                            + " instead of "
                            + key
                            + ": does every executor read the same model files and the same"
                            + " application jar?");
        }
        EvaluationPart part;
        synchronized (ENGINE_LOCK) {
            part = evaluator.evaluatePart(target, data, firstBatch);
        }
        store.commit(key, part);
        return part.toJson();
    }

    /** The rows of the batches as a dataset, after checking indices, labels and image sizes. */
    private ImageDataset images(List<Row> rows, int firstBatch, int lastBatch) {
        long first = (long) firstBatch * spec.batchSize;
        long end = Math.min(spec.examples, (long) (lastBatch + 1) * spec.batchSize);
        int imageBytes = spec.imageBytes();
        byte[] images = new byte[rows.size() * imageBytes];
        int[] labels = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            long index = row.getLong(0);
            checkArgument(
                    index == first + i,
                    "index must number the %s examples 0 to %s, each once, but batches %s to %s"
                            + " (examples %s to %s) held index %s where %s belongs",
                    spec.examples,
                    spec.examples - 1,
                    firstBatch,
                    lastBatch,
                    first,
                    end - 1,
                    index,
                    first + i);
            int label = row.getInt(1);
            checkArgument(
                    label >= 0 && label < spec.numClasses,
                    "label must be in [0, %s) but example %s had %s",
                    spec.numClasses,
                    index,
                    label);
            byte[] image = row.getAs(2);
            checkArgument(
                    image != null && image.length == imageBytes,
                    "image must hold %s bytes (%s×%s×%s) but example %s had %s",
                    imageBytes,
                    spec.channels,
                    spec.height,
                    spec.width,
                    index,
                    image == null ? "null" : image.length);
            System.arraycopy(image, 0, images, i * imageBytes, imageBytes);
            labels[i] = label;
        }
        checkArgument(
                rows.size() == end - first,
                "index must number the %s examples 0 to %s, each once, but batches %s to %s"
                        + " (examples %s to %s) had %s rows",
                spec.examples,
                spec.examples - 1,
                firstBatch,
                lastBatch,
                first,
                end - 1,
                rows.size());
        return ImageDataset.of(
                spec.dataset,
                spec.channels,
                spec.height,
                spec.width,
                images,
                labels,
                spec.numClasses);
    }
}
