package dev.awp.examples.benchmark;

import com.google.gson.JsonObject;
import java.nio.file.Path;

/**
 * What a run of {@link AwpBenchmark} measured.
 *
 * @param table the printed table
 * @param json the full report, also written to {@code output}: settings, every sample, the
 *     statistics and the targets
 * @param output where the JSON report was written
 */
public record BenchmarkReport(String table, JsonObject json, Path output) {}
