package dev.awp.djl.training;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A training process killed with {@code destroyForcibly} (SIGKILL: no shutdown hook, no finally) at
 * several points — mid-epoch, right after an evaluation (while checkpoints are being written),
 * right after an epoch — and resumed each time in a fresh JVM, ends with the weights of the
 * uninterrupted run, bit for bit. Separate processes, so that an array aliasing freed memory after
 * a resume cannot survive by luck in a warm heap.
 */
class KillAndResumeTest {

    @TempDir Path dir;

    /** Where to kill: after the n-th line equal to {@code line}, and how long to wait then. */
    record KillPoint(String line, int occurrence, long delayMillis) {}

    /** The variant the processes run: {@code plain}, or {@code ema} (weight averaging). */
    private String variant;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "ema"})
    void should_end_with_the_uninterrupted_weights_after_kills_at_several_points(String variant)
            throws Exception {
        this.variant = variant;
        Map<String, float[]> straight;
        Path straightOutput = dir.resolve("straight");
        try (Model model = TinyRuns.model()) {
            TinyRuns.trainer(TrainingProcess.spec(variant))
                    .optOutputDirectory(straightOutput)
                    .build()
                    .fit(model);
            straight = TinyRuns.weights(model);
        }
        Path output = dir.resolve("run");
        List<KillPoint> kills =
                List.of(
                        new KillPoint("BATCH", 5, 0), // epoch 2, second batch
                        new KillPoint("EVAL 2", 1, 0), // checkpoints of epoch 3 being written
                        new KillPoint("EPOCH 2", 1, 30)); // early in epoch 4
        int killed = 0;
        String mode = "fit";
        for (KillPoint kill : kills) {
            if (runUntil(mode, output, kill)) {
                killed++;
            }
            mode = Files.exists(AdversarialTrainer.lastCheckpoint(output)) ? "resume" : "fit";
        }
        List<String> last = run("resume", output);
        assertThat(last).contains("DONE");
        System.out.printf("kill and resume: %d kills, %d resumes, run completed%n", killed, 3);
        assertThat(killed).as("kills that landed before the run finished").isEqualTo(3);

        try (Model model = TinyRuns.model()) {
            model.getBlock()
                    .initialize(
                            model.getNDManager(),
                            ai.djl.ndarray.types.DataType.FLOAT32,
                            new ai.djl.ndarray.types.Shape(1, 3, 32, 32));
            AdversarialTrainer.loadWeights(AdversarialTrainer.lastCheckpoint(output), model);
            Map<String, float[]> resumed = TinyRuns.weights(model);
            for (String name : straight.keySet()) {
                assertThat(resumed.get(name)).as(name).isEqualTo(straight.get(name));
            }
            // the raw weights too (the same as the model's without averaging)
            AdversarialTrainer.loadRawWeights(AdversarialTrainer.lastCheckpoint(output), model);
            Map<String, float[]> resumedRaw = TinyRuns.weights(model);
            AdversarialTrainer.loadRawWeights(
                    AdversarialTrainer.lastCheckpoint(straightOutput), model);
            Map<String, float[]> straightRaw = TinyRuns.weights(model);
            for (String name : straightRaw.keySet()) {
                assertThat(resumedRaw.get(name)).as("raw " + name).isEqualTo(straightRaw.get(name));
            }
        }
        try (var files = Files.list(output.resolve(AdversarialTrainer.CHECKPOINTS))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")))
                    .as("temporary files left after the last resume")
                    .isEmpty();
        }
    }

    /** Starts a process and kills it at the point; true if it was killed before it finished. */
    private boolean runUntil(String mode, Path output, KillPoint kill) throws Exception {
        Process process = start(mode, output);
        int seen = 0;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals(kill.line()) && ++seen == kill.occurrence()) {
                    if (kill.delayMillis() > 0) {
                        Thread.sleep(kill.delayMillis());
                    }
                    process.destroyForcibly();
                    process.waitFor(30, TimeUnit.SECONDS);
                    return true;
                }
                if (line.equals("DONE")) {
                    break;
                }
            }
        }
        process.waitFor(60, TimeUnit.SECONDS);
        return false;
    }

    private List<String> run(String mode, Path output) throws Exception {
        Process process = start(mode, output);
        List<String> lines = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
        }
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("exit code; output " + lines).isZero();
        return lines;
    }

    private Process start(String mode, Path output) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command =
                List.of(
                        java,
                        "-Dai.djl.offline=true",
                        "-Dai.djl.default_engine=PyTorch",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-cp",
                        System.getProperty("java.class.path"),
                        TrainingProcess.class.getName(),
                        mode,
                        output.toString(),
                        variant);
        return new ProcessBuilder(command)
                .redirectError(dir.resolve("stderr-" + System.nanoTime() + ".txt").toFile())
                .directory(new File(System.getProperty("user.dir")))
                .start();
    }
}
