package dev.awp.examples.benchmark;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code reference_step.py}, the AWP reference procedure in PyTorch, as a separate process and
 * reads its JSON output.
 */
final class ReferenceRunner {

    private final String python;
    private final Path script;
    private final long timeoutSeconds;
    private String unavailable;

    private ReferenceRunner(String python, Path script, long timeoutSeconds) {
        this.python = python;
        this.script = script;
        this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * Checks that the script exists and that {@code python} imports torch.
     *
     * @return the runner; {@link #unavailable()} says why it cannot run, if it cannot
     */
    static ReferenceRunner probe(String python, Path script, long timeoutSeconds) {
        ReferenceRunner runner = new ReferenceRunner(python, script, timeoutSeconds);
        if (script == null || !Files.isRegularFile(script)) {
            runner.unavailable =
                    "reference script not found"
                            + (script == null ? "" : " at " + script.toAbsolutePath())
                            + "; run from awp-examples or the repository root, or pass --script";
            return runner;
        }
        try {
            Result probe =
                    runner.exec(List.of(python, "-c", "import torch; print(torch.__version__)"));
            if (probe.exitCode != 0) {
                runner.unavailable =
                        python
                                + " cannot import torch (PyTorch for Python is absent: on Debian"
                                + " `apt-get install python3-torch`, or pass --python): "
                                + lastLine(probe.output);
            }
        } catch (IOException e) {
            runner.unavailable = "cannot run " + python + " (" + e.getMessage() + ")";
        }
        return runner;
    }

    /** Why the reference cannot run, or {@code null} if it can. */
    String unavailable() {
        return unavailable;
    }

    /**
     * Runs the script for one model configuration.
     *
     * @return the parsed output
     * @throws IOException if the process fails, times out or writes no valid output
     */
    JsonObject run(List<String> arguments, Path output) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(python);
        command.add(script.toString());
        command.addAll(arguments);
        command.add("--output");
        command.add(output.toString());
        Files.deleteIfExists(output);
        Result result = exec(command);
        if (result.exitCode != 0 || !Files.isRegularFile(output)) {
            throw new IOException(
                    "reference script failed (exit "
                            + result.exitCode
                            + "): "
                            + String.join(" ", command)
                            + "\n"
                            + result.output);
        }
        return JsonParser.parseString(Files.readString(output, StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    private Result exec(List<String> command) throws IOException {
        Path log = Files.createTempFile("awp-reference", ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // the thread counts are set by the script's arguments, not inherited by accident
        builder.environment().remove("OMP_NUM_THREADS");
        builder.environment().remove("MKL_NUM_THREADS");
        Process process = builder.start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(
                        "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }

    private record Result(int exitCode, String output) {}
}
