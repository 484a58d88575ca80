package dev.awp.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.evaluation.EvaluationPart;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SparkEvaluation} on {@code local[2,2]} (two threads, a failed task retried once) against
 * the single-JVM evaluator on the same 44 images; {@link SparkEvaluationLocal4Test} runs the same
 * tests on {@code local[4,2]}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkEvaluationTest {

    private SparkSession spark;
    private Dataset<Row> rows;
    private RobustnessReport single;
    private EvaluationPart singlePart;

    @TempDir Path temp;

    /** The session's master: threads, and attempts per task. */
    String master() {
        return "local[2,2]";
    }

    @BeforeAll
    void start() {
        spark = SparkFixtures.session(master());
        ImageDataset data = SparkFixtures.data();
        rows = ExampleRows.of(spark, data, 3).cache();
        single = SparkFixtures.single();
        singlePart = SparkFixtures.singlePart();
        assertThat(single.robustAccuracy().correct())
                .as("a test that can tell verdicts apart needs robust and broken examples")
                .isGreaterThan(0)
                .isLessThan(single.cleanAccuracy().correct());
    }

    @AfterAll
    void stop() {
        spark.stop();
    }

    private static RobustnessReport withoutTimes(RobustnessReport report) {
        List<AttackResult> attacks = new ArrayList<>();
        for (AttackResult result : report.attacks()) {
            attacks.add(result.withElapsedSeconds(0));
        }
        return report.withElapsedSeconds(0).withAttacks(attacks);
    }

    private EvaluationOutcome run(Path output, int partitions, EvaluatorFactory evaluator) {
        return SparkFixtures.evaluation(output, evaluator)
                .optPartitions(partitions)
                .build()
                .run(spark, rows);
    }

    private static List<Path> partFiles(Path output) throws IOException {
        try (Stream<Path> files = Files.list(output.resolve("parts"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("batches-"))
                    .sorted()
                    .toList();
        }
    }

    @Nested
    class SameAsOneJvm {

        @ParameterizedTest(name = "{0} partitions")
        @ValueSource(ints = {1, 2, 5})
        void should_give_the_single_jvm_report_and_table(int partitions) {
            Path output = temp.resolve("p" + partitions);
            int loads = ExecutorModels.loads();
            EvaluationOutcome outcome = run(output, partitions, () -> SparkFixtures.evaluator(11));

            assertThat(withoutTimes(outcome.report())).isEqualTo(withoutTimes(single));
            assertThat(outcome.computedBatches()).isEqualTo(6);
            assertThat(outcome.reusedBatches()).isZero();
            List<Row> table =
                    spark.read()
                            .parquet(outcome.examplesTable().toString())
                            .orderBy("index")
                            .collectAsList();
            assertThat(table).hasSize(SparkFixtures.EXAMPLES);
            for (int i = 0; i < table.size(); i++) {
                Row row = table.get(i);
                assertThat(row.getLong(0)).isEqualTo(i);
                assertThat(row.getInt(1)).isEqualTo(singlePart.label(i));
                assertThat(row.getInt(2)).isEqualTo(singlePart.cleanPrediction(i));
                assertThat(row.getBoolean(3))
                        .isEqualTo(single.brokenBy().get(i) == RobustnessReport.ROBUST);
                assertThat(row.getInt(4)).isEqualTo(single.brokenBy().get(i));
                List<Object> verdicts = row.getList(6);
                List<Object> queries = row.getList(7);
                assertThat(verdicts).hasSize(singlePart.attacks());
                assertThat(queries).hasSize(singlePart.attacks());
                for (int k = 0; k < verdicts.size(); k++) {
                    assertThat(verdicts.get(k)).isEqualTo(singlePart.verdict(k, i));
                    assertThat(queries.get(k)).isEqualTo(singlePart.queries(k, i));
                }
            }
            assertThat(Files.exists(outcome.reportFile())).isTrue();
            assertThat(ExecutorModels.loads())
                    .as("the JVM's model, loaded before, serves the driver and every task")
                    .isEqualTo(loads);
            assertThat(outcome.phaseSeconds())
                    .containsOnlyKeys(
                            "count",
                            "configuration key and committed parts",
                            "evaluation",
                            "per-example table",
                            "report");
        }

        @Test
        void should_give_the_single_jvm_report_with_the_model_broadcast() {
            EvaluationOutcome outcome =
                    SparkFixtures.evaluation(
                                    temp.resolve("broadcast"), () -> SparkFixtures.evaluator(11))
                            .optPartitions(3)
                            .optBroadcastModel(true)
                            .build()
                            .run(spark, rows);

            assertThat(withoutTimes(outcome.report())).isEqualTo(withoutTimes(single));
            assertThat(outcome.computedBatches()).isEqualTo(6);
        }
    }

    /** Fails the evaluator's second creation (the first task's), once per JVM. */
    private static final AtomicInteger FLAKY_CALLS = new AtomicInteger();

    /**
     * An evaluator factory for a job that dies: partitions 0 and 1 evaluate and commit; every later
     * partition waits until they have committed, then fails (so exactly two parts are committed,
     * whatever the threads' timing).
     */
    private static EvaluatorFactory killedAfterTwoCommits(Path output) {
        String parts = output.resolve("parts").toString();
        return () -> {
            TaskContext task = TaskContext.get();
            if (task != null && task.partitionId() >= 2) {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (committedCount(Path.of(parts)) < 2 && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                throw new IllegalStateException("killed");
            }
            return SparkFixtures.evaluator(11);
        };
    }

    private static int committedCount(Path parts) {
        try (Stream<Path> files = Files.list(parts)) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    @Nested
    class Failures {

        @Test
        void should_retry_a_task_that_failed_once_and_give_the_same_report() {
            FLAKY_CALLS.set(0);
            EvaluationOutcome outcome =
                    run(
                            temp.resolve("retry"),
                            3,
                            () -> {
                                if (FLAKY_CALLS.incrementAndGet() == 2) {
                                    throw new IllegalStateException("injected failure");
                                }
                                return SparkFixtures.evaluator(11);
                            });
            assertThat(FLAKY_CALLS.get()).as("driver, 3 tasks and 1 retry").isEqualTo(5);
            assertThat(withoutTimes(outcome.report())).isEqualTo(withoutTimes(single));
        }

        @Test
        void should_recompute_only_the_batches_without_a_committed_part() throws IOException {
            Path output = temp.resolve("resume");
            assertThatIllegalStateException()
                    .isThrownBy(() -> run(output, 5, killedAfterTwoCommits(output)))
                    .withMessage("killed");
            List<Path> committed = partFiles(output);
            assertThat(committed).hasSize(2);
            int committedBatches = 0;
            for (Path file : committed) {
                // batches-FFFFFF-CCCCCC.json
                committedBatches +=
                        Integer.parseInt(file.getFileName().toString().substring(15, 21));
            }

            EvaluationOutcome resumed = run(output, 5, () -> SparkFixtures.evaluator(11));

            assertThat(resumed.reusedBatches()).isEqualTo(committedBatches);
            assertThat(resumed.computedBatches()).isEqualTo(6 - committedBatches);
            assertThat(withoutTimes(resumed.report())).isEqualTo(withoutTimes(single));
        }

        @Test
        void should_refuse_parts_of_another_configuration() {
            Path output = temp.resolve("changed");
            run(output, 2, () -> SparkFixtures.evaluator(11));
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> run(output, 2, () -> SparkFixtures.evaluator(12)))
                    .withMessageStartingWith("outputDirectory must hold parts of this evaluation")
                    .withMessageContaining("differs: seed was 11, now 12")
                    .withMessageEndingWith(
                            "delete the directory or choose another one to start afresh");
        }
    }

    @Nested
    class BadInputs {

        private Dataset<Row> rowsWith(int index, int label, byte[] image) {
            List<Row> list = new ArrayList<>(rows.orderBy("index").collectAsList());
            list.set(index, RowFactory.create((long) index, label, image));
            return spark.createDataFrame(list, ExampleRows.SCHEMA);
        }

        private EvaluationOutcome runOn(Dataset<Row> input) {
            return SparkFixtures.evaluation(temp.resolve("bad"), () -> SparkFixtures.evaluator(11))
                    .optPartitions(2)
                    .build()
                    .run(spark, input);
        }

        @Test
        void should_fail_with_awp_message_on_a_missing_model() {
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    SparkFixtures.evaluation(
                                                    temp.resolve("x"),
                                                    () -> SparkFixtures.evaluator(11))
                                            .setModel(
                                                    ModelSource.parameters(
                                                            temp.resolve("no-model"),
                                                            "m",
                                                            SmallCnnFactory.class.getName()))
                                            .build()
                                            .run(spark, rows))
                    .withMessage(
                            "model directory must be a directory every executor reads but "
                                    + temp.resolve("no-model").toAbsolutePath()
                                    + " is not");
        }

        @Test
        void should_fail_with_awp_message_on_a_label_out_of_range() {
            byte[] image = rows.orderBy("index").collectAsList().get(17).getAs(2);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> runOn(rowsWith(17, 12, image)))
                    .withMessage("label must be in [0, 10) but example 17 had 12");
        }

        @Test
        void should_fail_with_awp_message_on_an_image_of_the_wrong_size() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> runOn(rowsWith(30, 1, new byte[784])))
                    .withMessage("image must hold 3072 bytes (3×32×32) but example 30 had 784");
        }

        @Test
        void should_fail_with_awp_message_on_a_duplicate_index() {
            List<Row> list = new ArrayList<>(rows.orderBy("index").collectAsList());
            Row third = list.get(3);
            list.set(4, RowFactory.create(3L, third.getInt(1), third.getAs(2)));
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> runOn(spark.createDataFrame(list, ExampleRows.SCHEMA)))
                    .withMessage(
                            "index must number the 44 examples 0 to 43, each once, but batches 0"
                                    + " to 2 (examples 0 to 23) held index 3 where 4 belongs");
        }
    }
}
