package dev.awp.spark;

import dev.awp.attack.Attack;
import dev.awp.djl.evaluation.EvaluationPart;
import dev.awp.report.RobustnessReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The per-example table, written as Parquet by Spark's writer: one row per example with {@code
 * index}, {@code label}, {@code cleanPrediction}, {@code robust} (correct at the clean input and
 * under every attack), {@code brokenBy} (the report's code: -1 robust, -2 clean error, else the
 * attack's index), {@code brokenByName} (the attack's name, null otherwise), {@code verdicts}, one
 * entry per attack: 1 survived, 0 broken, -1 not attacked, and {@code queries}, one entry per
 * attack: the model's forward passes the attack spent on the example (0 when it did not run on it;
 * {@link EvaluationPart#queries(int, int)}).
 */
final class ExampleTable {

    static final StructType SCHEMA =
            new StructType()
                    .add("index", DataTypes.LongType, false)
                    .add("label", DataTypes.IntegerType, false)
                    .add("cleanPrediction", DataTypes.IntegerType, false)
                    .add("robust", DataTypes.BooleanType, false)
                    .add("brokenBy", DataTypes.IntegerType, false)
                    .add("brokenByName", DataTypes.StringType, true)
                    .add("verdicts", DataTypes.createArrayType(DataTypes.ByteType, false), false)
                    .add("queries", DataTypes.createArrayType(DataTypes.LongType, false), false);

    private ExampleTable() {}

    static void write(
            SparkSession spark, List<EvaluationPart> parts, List<Attack> attacks, Path file) {
        List<Row> rows = new ArrayList<>();
        for (EvaluationPart part : parts) {
            long first = (long) part.firstBatch() * part.batchSize();
            for (int i = 0; i < part.size(); i++) {
                int code = part.brokenBy(i);
                Byte[] verdicts = new Byte[part.attacks()];
                Long[] queries = new Long[part.attacks()];
                for (int k = 0; k < verdicts.length; k++) {
                    verdicts[k] = part.verdict(k, i);
                    queries[k] = part.queries(k, i);
                }
                rows.add(
                        RowFactory.create(
                                first + i,
                                part.label(i),
                                part.cleanPrediction(i),
                                code == RobustnessReport.ROBUST,
                                code,
                                code >= 0 ? attacks.get(code).name() : null,
                                verdicts,
                                queries));
            }
        }
        spark.createDataFrame(rows, SCHEMA)
                .coalesce(1)
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(file.toAbsolutePath().toUri().toString());
    }
}
