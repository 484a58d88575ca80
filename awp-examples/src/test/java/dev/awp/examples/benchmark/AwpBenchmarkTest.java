package dev.awp.examples.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test: the benchmark runs end to end with the tiniest settings. Asserts no speed. */
class AwpBenchmarkTest {

    @Test
    void should_run_every_section_and_write_the_report(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("benchmark.json");
        BenchmarkReport report =
                AwpBenchmark.runExample(
                        "--no-resnet",
                        "--width",
                        "4",
                        "--batch",
                        "4",
                        "--attack-steps",
                        "2",
                        "--warmup",
                        "0",
                        "--reps",
                        "1",
                        "--phase-reps",
                        "1",
                        "--guard-reps",
                        "1",
                        "--memory-steps",
                        "1",
                        "--leak-steps",
                        "20",
                        "--leak-every",
                        "10",
                        "--leak-width",
                        "4",
                        "--leak-batch",
                        "2",
                        "--scaling-batches",
                        "2",
                        "--scaling-widths",
                        "4",
                        "--scaling-reps",
                        "1",
                        "--python-timeout",
                        "120",
                        "--output",
                        output.toString());

        assertThat(output).exists();
        assertThat(Files.readString(output)).contains("\"overhead_ratio\"");
        assertThat(report.table())
                .contains("1. AWP overhead", "2. Attack cost", "3. Against the reference")
                .contains("4. Memory", "5. Scaling", "threads: intra-op")
                .contains("6. Guards and rollback");
        JsonObject model = report.json().getAsJsonArray("models").get(0).getAsJsonObject();
        assertThat(model.getAsJsonObject("at_ms").get("n").getAsInt()).isEqualTo(1);
        assertThat(model.get("perturbed_tensors").getAsInt()).isEqualTo(7);
        JsonObject leak = report.json().getAsJsonObject("leak");
        assertThat(leak.get("live_arrays_stable").getAsBoolean())
                .as("live NDArray count over the leak check: %s", leak.get("checkpoints"))
                .isTrue();
        assertThat(report.json().getAsJsonObject("scaling").getAsJsonArray("batch")).hasSize(1);
        JsonObject row =
                report.json()
                        .getAsJsonObject("scaling")
                        .getAsJsonArray("batch")
                        .get(0)
                        .getAsJsonObject();
        assertThat(row.has("extra_peak_rss_over_parameter_bytes")).isTrue();
        JsonObject guards = model.getAsJsonObject("guards");
        assertThat(guards.getAsJsonObject("checks_verified_step_ms").get("n").getAsInt())
                .isEqualTo(1);
        assertThat(guards.get("guards_and_rollback_share").getAsDouble()).isFinite();
    }

    @Test
    void should_reject_an_unknown_option() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> AwpBenchmark.runExample("--no-such-option", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown option --no-such-option");
    }
}
