package dev.awp.examples.benchmark;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Section 4 of {@link AwpBenchmark}, the leak check: live NDArray count and resident memory over
 * many AT-AWP steps.
 */
final class LeakCheck {

    private LeakCheck() {}

    static JsonObject run(BenchmarkOptions options) {
        AwpBenchmark.progress("leak check: %d AT-AWP steps", options.leakSteps);
        JsonObject leak = new JsonObject();
        try (StepFixture f =
                StepFixture.smallCnn(
                        options.leakWidth, options.leakBatch, options.attackSteps, options.seed)) {
            for (int i = 0; i < 5; i++) {
                f.atAwp();
            }
            NDManager root = NativeMemory.root(f.trainer.getManager());
            JsonArray checkpoints = new JsonArray();
            List<long[]> points = new ArrayList<>();
            for (int step = 0; step <= options.leakSteps; step++) {
                if (step % options.leakEvery == 0 || step == options.leakSteps) {
                    // collect Java garbage first, so that the JVM heap's share of RSS is settled
                    System.gc();
                    Runtime runtime = Runtime.getRuntime();
                    long rss = NativeMemory.rss();
                    long heap = runtime.totalMemory();
                    long[] point = {step, NativeMemory.liveArrays(root).size(), rss, rss - heap};
                    points.add(point);
                    JsonObject c = new JsonObject();
                    c.addProperty("step", point[0]);
                    c.addProperty("live_arrays", point[1]);
                    c.addProperty("live_array_bytes", NativeMemory.liveBytes(root));
                    c.addProperty("rss_bytes", rss);
                    c.addProperty("jvm_heap_committed_bytes", heap);
                    c.addProperty("rss_minus_heap_bytes", point[3]);
                    checkpoints.add(c);
                }
                if (step < options.leakSteps) {
                    f.atAwp();
                }
            }
            long[] first = points.get(0);
            long[] middle = points.get(points.size() / 2);
            long[] last = points.get(points.size() - 1);
            boolean countStable = points.stream().allMatch(p -> p[1] == first[1]);
            long rssGrowthSecondHalf = last[2] - middle[2];
            long nativeGrowthSecondHalf = last[3] - middle[3];
            leak.addProperty("model", f.label);
            leak.addProperty("steps", options.leakSteps);
            leak.add("checkpoints", checkpoints);
            leak.addProperty("live_arrays_stable", countStable);
            leak.addProperty("rss_growth_bytes", last[2] - first[2]);
            leak.addProperty("rss_growth_second_half_bytes", rssGrowthSecondHalf);
            leak.addProperty("rss_minus_heap_growth_second_half_bytes", nativeGrowthSecondHalf);
            // resident memory settles once the allocators have their working set: judge the
            // second half, outside the JVM heap (RSS - committed heap), allowing 16 MB of noise
            leak.addProperty("rss_stable", nativeGrowthSecondHalf < 16 * AwpBenchmark.MB);
        }
        return leak;
    }
}
