package dev.awp.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.awp.djl.data.ImageDataset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The rows {@link SparkEvaluation} reads: one per example, with columns {@value #INDEX} (long, the
 * example's position in the evaluation, {@code 0 … n-1}, each once), {@value #LABEL} (int, the
 * class index) and {@value #IMAGE} (binary, the pixels in CHW order as unsigned bytes, as in IDX
 * and CIFAR binary files; they become {@code [0, 1]} floats as {@link ImageDataset} makes them). A
 * Parquet file with these columns is read with {@code spark.read().parquet(path)}; images awp reads
 * itself ({@code IdxReader}, {@code CifarReader}) become rows with {@link #of(SparkSession,
 * ImageDataset, int)}.
 */
public final class ExampleRows {

    /** The column of the example's global index. */
    public static final String INDEX = "index";

    /** The column of the label. */
    public static final String LABEL = "label";

    /** The column of the image bytes. */
    public static final String IMAGE = "image";

    /** The schema of the rows. */
    public static final StructType SCHEMA =
            new StructType()
                    .add(INDEX, DataTypes.LongType, false)
                    .add(LABEL, DataTypes.IntegerType, false)
                    .add(IMAGE, DataTypes.BinaryType, false);

    private ExampleRows() {}

    /**
     * The examples of a dataset as rows, indexed in the dataset's order, in {@code partitions}
     * slices.
     *
     * @param spark the session
     * @param data the images and labels
     * @param partitions the number of slices of the rows, at least 1 (the evaluation repartitions
     *     them on batch boundaries anyway)
     * @return the rows, with {@link #SCHEMA}
     * @throws IllegalArgumentException if {@code partitions < 1}
     */
    public static Dataset<Row> of(SparkSession spark, ImageDataset data, int partitions) {
        requireNonNull(spark, "spark");
        requireNonNull(data, "data");
        List<Row> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            rows.add(RowFactory.create((long) i, data.label(i), data.image(i)));
        }
        checkArgument(partitions >= 1, "partitions must be >= 1 but was %s", partitions);
        // sliced as they are, without the shuffle a repartition would add
        return spark.createDataFrame(
                JavaSparkContext.fromSparkContext(spark.sparkContext())
                        .parallelize(rows, partitions),
                SCHEMA);
    }
}
