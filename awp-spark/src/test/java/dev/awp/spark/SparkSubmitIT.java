package dev.awp.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Model;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.evaluation.RobustnessReportJson;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar ({@code awp-spark-VERSION-app.jar}, built at {@code package}) submitted with
 * Spark's own {@code org.apache.spark.deploy.SparkSubmit} on {@code local[2]}, in a new JVM whose
 * class path holds Spark and its dependencies only (as a Spark installation does): awp, DJL and the
 * PyTorch engine come from the application jar. Its report must be the one awp computes in this JVM
 * on the same Parquet rows. Runs at {@code integration-test}, after the jar is built.
 */
class SparkSubmitIT {

    /** awp-djl's TorchScript fixture: 3×8×8 inputs, 4 classes. */
    private static final Path TORCHSCRIPT =
            Path.of("../awp-djl/src/test/resources/dev/awp/djl/torchscript/small_res_cnn.pt");

    private static final int EXAMPLES = 24;

    @TempDir Path temp;

    @Test
    void should_evaluate_the_application_jar_under_spark_submit_as_one_jvm_does()
            throws IOException, InterruptedException {
        Path appJar = appJar();
        Path model = temp.resolve("model.pt");
        Files.copy(TORCHSCRIPT, model);
        ImageDataset data = randomImages();
        Path parquet = temp.resolve("examples.parquet");
        SparkSession spark = SparkFixtures.session("local[1]");
        try {
            ExampleRows.of(spark, data, 2).write().parquet(parquet.toString());
        } finally {
            spark.stop();
        }
        RobustnessReport single;
        try (Model loaded = ModelSource.torchScript(model).load()) {
            single =
                    RobustnessEvaluator.builder()
                            .optAttacks(
                                    EvaluateCommand.attacks(
                                            "apgd-ce,square", ThreatModel.linf(0.05), 5, 20))
                            .optBatchSize(8)
                            .optSeed(3)
                            .optNoProgress()
                            .build()
                            .evaluate(AttackTarget.of(loaded.getBlock()), data);
        }

        Path output = temp.resolve("run");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("awp.sparkJavaOptions", "").split(" ")));
        command.add("-Dai.djl.offline=true");
        command.add("-cp");
        command.add(sparkClassPath());
        command.add("org.apache.spark.deploy.SparkSubmit");
        command.addAll(
                List.of(
                        "--master",
                        "local[2]",
                        "--conf",
                        "spark.ui.enabled=false",
                        "--conf",
                        "spark.driver.host=127.0.0.1",
                        "--class",
                        EvaluateCommand.class.getName(),
                        appJar.toAbsolutePath().toString(),
                        "--model",
                        model.toString(),
                        "--data",
                        parquet.toString(),
                        "--shape",
                        "3x8x8",
                        "--classes",
                        "4",
                        "--attacks",
                        "apgd-ce,square",
                        "--epsilon",
                        "0.05",
                        "--steps",
                        "5",
                        "--queries",
                        "20",
                        "--seed",
                        "3",
                        "--batch-size",
                        "8",
                        "--partitions",
                        "3",
                        "--broadcast-model",
                        "--output",
                        output.toString()));
        command.removeIf(String::isEmpty);
        Path stdout = temp.resolve("stdout.txt");
        Path stderr = temp.resolve("stderr.txt");
        Process process =
                new ProcessBuilder(command)
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
        boolean finished = process.waitFor(180, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        Path logs = Path.of("target", "spark-submit-it");
        Files.createDirectories(logs);
        Files.writeString(logs.resolve("command.txt"), String.join(" ", command));
        Files.copy(stdout, logs.resolve("stdout.txt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(stderr, logs.resolve("stderr.txt"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(finished).as("spark-submit finished within 180 s; stderr:%n%s", err).isTrue();
        assertThat(process.exitValue()).as("exit status; stderr:%n%s", tail(err)).isZero();
        assertThat(out).contains("examples.parquet").contains("robust");

        RobustnessReport submitted =
                RobustnessReportJson.fromJson(
                        Files.readString(output.resolve("report.json"), StandardCharsets.UTF_8));
        assertThat(submitted.examples()).isEqualTo(EXAMPLES);
        assertThat(submitted.brokenBy()).isEqualTo(single.brokenBy());
        assertThat(submitted.cleanAccuracy()).isEqualTo(single.cleanAccuracy());
        assertThat(submitted.robustAccuracy()).isEqualTo(single.robustAccuracy());
        for (int k = 0; k < single.attacks().size(); k++) {
            AttackResult expected = single.attacks().get(k);
            AttackResult actual = submitted.attacks().get(k);
            assertThat(actual.name()).isEqualTo(expected.name());
            assertThat(actual.cumulativeAccuracy()).isEqualTo(expected.cumulativeAccuracy());
            assertThat(actual.queries()).isEqualTo(expected.queries());
        }
    }

    @Test
    void should_exit_with_status_2_and_the_usage_on_a_bad_option()
            throws IOException, InterruptedException {
        Path appJar = appJar();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(sparkClassPath() + File.pathSeparator + appJar.toAbsolutePath());
        command.add(EvaluateCommand.class.getName());
        command.add("--shape");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(out).startsWith("awp-spark: --shape needs a value").contains("Usage:");
    }

    /**
     * The jar the spark-submit-it execution names; the test is skipped in an execution that names
     * none (a {@code -Dtest=SparkSubmitIT} run's unit-test phase, before the jar exists).
     */
    private static Path appJar() {
        String jar = System.getProperty("awp.appJar");
        assumeTrue(jar != null, "run by the spark-submit-it execution, after package");
        Path path = Path.of(jar);
        assertThat(path).as("the application jar built at package").isRegularFile();
        return path;
    }

    /** 24 random 3×8×8 images with random labels among 4 classes. */
    private static ImageDataset randomImages() {
        Random random = new Random(17);
        byte[] images = new byte[EXAMPLES * 3 * 8 * 8];
        random.nextBytes(images);
        int[] labels = new int[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            labels[i] = random.nextInt(4);
        }
        return ImageDataset.of("random-8x8", 3, 8, 8, images, labels, 4);
    }

    /**
     * This JVM's class path without awp, DJL, the engine and the test libraries: Spark, Scala and
     * their dependencies, as {@code $SPARK_HOME/jars} holds them.
     */
    private static String sparkClassPath() {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String path = entry.replace('\\', '/');
            boolean ours =
                    !path.endsWith(".jar")
                            || path.contains("/target/")
                            || path.contains("/dev/awp/")
                            || path.contains("/ai/djl/")
                            || path.contains("/org/junit/")
                            || path.contains("/org/assertj/")
                            || path.contains("/org/opentest4j/")
                            || path.contains("/org/apiguardian/")
                            || path.contains("/surefire");
            if (!ours) {
                kept.add(entry);
            }
        }
        return String.join(File.pathSeparator, kept);
    }

    private static String tail(String text) {
        return text.length() <= 6000 ? text : text.substring(text.length() - 6000);
    }
}
