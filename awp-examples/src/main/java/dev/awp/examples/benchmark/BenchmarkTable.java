package dev.awp.examples.benchmark;

import static dev.awp.examples.benchmark.AwpBenchmark.MB;
import static dev.awp.examples.benchmark.AwpBenchmark.MEMORY_TARGET;
import static dev.awp.examples.benchmark.AwpBenchmark.OVERHEAD_TARGET;
import static dev.awp.examples.benchmark.AwpBenchmark.REFERENCE_TARGET;
import static dev.awp.examples.benchmark.AwpBenchmark.RSS_RESOLUTION_BYTES;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;

/** The targets of {@link AwpBenchmark} and the table it prints, one section after the other. */
final class BenchmarkTable {

    private final BenchmarkOptions options;
    private final StringBuilder table = new StringBuilder();

    BenchmarkTable(BenchmarkOptions options) {
        this.options = options;
    }

    /** The table so far. */
    @Override
    public String toString() {
        return table.toString();
    }

    static JsonObject targets(List<ModelResult> models, JsonObject leak) {
        JsonObject targets = new JsonObject();
        for (ModelResult m : models) {
            JsonObject t = new JsonObject();
            t.addProperty("overhead_ratio", m.ratio());
            t.addProperty("overhead_met", m.ratio() <= OVERHEAD_TARGET);
            if (m.reference != null && m.reference.has("ours_over_reference_at_awp")) {
                double r = m.reference.get("ours_over_reference_at_awp").getAsDouble();
                t.addProperty("ours_over_reference_at_awp", r);
                t.addProperty("reference_met", r <= REFERENCE_TARGET);
            }
            double memory = m.extraMemoryRatio();
            t.addProperty("extra_memory_over_parameter_bytes", memory);
            t.addProperty("memory_met", memory <= MEMORY_TARGET);
            targets.add(m.label, t);
        }
        if (leak != null) {
            targets.addProperty(
                    "leak_free",
                    leak.get("live_arrays_stable").getAsBoolean()
                            && leak.get("rss_stable").getAsBoolean());
        }
        return targets;
    }

    void print(
            JsonObject settings,
            List<ModelResult> models,
            JsonObject leak,
            JsonObject scaling,
            int threads,
            int interop,
            String loadStart,
            String loadEnd,
            double minutes) {
        line("");
        line(
                "AWP benchmark: PGD-AT vs AT-AWP, %s, gamma %.2f, %s",
                settings.get("attack").getAsString(),
                StepFixture.GAMMA,
                settings.get("optimizer").getAsString());
        line(
                "machine: %s, %d cores, %s, Java %s; %s",
                settings.get("cpu").getAsString(),
                settings.get("cores").getAsInt(),
                settings.get("os").getAsString(),
                settings.get("java").getAsString(),
                settings.get("engine").getAsString());
        line(
                "threads: intra-op %d, inter-op %d (both sides); load average at start %s, at end"
                        + " %s; %.1f min",
                threads, interop, loadStart, loadEnd, minutes);
        line("times in ms: median [min-max]; AT and AT-AWP steps interleaved on the same model");

        line("");
        line("1. AWP overhead: step time of AT-AWP over AT (target <= %.2fx)", OVERHEAD_TARGET);
        line(
                "%-22s %-24s %-24s %-7s %-15s %-6s %-7s %s",
                "model",
                "AT",
                "AT-AWP",
                "ratio",
                "pairs [q1-q3]",
                "limit",
                "target",
                "(AT-AWP - AT) / fwd+bwd");
        for (ModelResult m : models) {
            line(
                    "%-22s %-24s %-24s %-7.3f %-15s %-6.3f %-7s %.2f",
                    m.label,
                    m.at.format(1),
                    m.atAwp.format(1),
                    m.ratio(),
                    String.format(Locale.ROOT, "%.3f-%.3f", m.pairRatios.q1(), m.pairRatios.q3()),
                    m.limit,
                    m.ratio() <= OVERHEAD_TARGET ? "met" : "MISSED",
                    (m.atAwp.median() - m.at.median()) / m.fwdBwd.median());
        }
        line(
                "  limit = (attack + 2 fwd/bwd) / (attack + 1 fwd/bwd), parts timed alone (section 2)");
        line(
                "  %-28s %-9s %-12s %-9s %-15s %s",
                "phases, median ms",
                "attack",
                "v(+perturb)",
                "fwd/bwd",
                "step(+restore)",
                "bookkeeping");
        for (ModelResult m : models) {
            line(
                    "  %-28s %-9.1f %-12s %-9.1f %-15.2f",
                    m.label + " AT",
                    m.phasesAt.get("attack").median(),
                    "-",
                    m.phasesAt.get("update_fwd_bwd").median(),
                    m.phasesAt.get("step").median());
            line(
                    "  %-28s %-9.1f %-12.1f %-9.1f %-15.2f %.2f (%.2f%% of the step)",
                    m.label + " AT-AWP",
                    m.phasesAtAwp.get("attack").median(),
                    m.phasesAtAwp.get("awp_v").median(),
                    m.phasesAtAwp.get("update_fwd_bwd").median(),
                    m.phasesAtAwp.get("step").median(),
                    m.bookkeepingMillis,
                    100 * m.bookkeepingMillis / m.atAwp.median());
        }
        line(
                "  bookkeeping = (steps + 2) x block.getParameters() + steps x hasGradient() on every"
                        + " weight + one requires_grad off/on toggle");

        line("");
        line("2. Attack cost: one PGD-%d pass", options.attackSteps);
        line(
                "%-22s %-22s %-22s %-22s %-13s %s",
                "model",
                "ours (library)",
                "loop, input grads",
                "loop, + weight grads",
                "10 x fwd/bwd",
                "ours / +weight grads, / 10 fwd/bwd");
        for (ModelResult m : models) {
            line(
                    "%-22s %-22s %-22s %-22s %-13.1f %.3f, %.3f",
                    m.label,
                    m.attackOurs.format(1),
                    m.attackLoopInputOnly.format(1),
                    m.attackLoopWeightGrads.format(1),
                    10 * m.fwdBwd.median(),
                    m.attackOurs.median() / m.attackLoopWeightGrads.median(),
                    m.attackOurs.median() / (10 * m.fwdBwd.median()));
        }

        line("");
        line(
                "3. Against the reference procedure in PyTorch (reference_step.py; target: ours"
                        + " AT-AWP <= %.2fx the reference's)",
                REFERENCE_TARGET);
        boolean any = false;
        for (ModelResult m : models) {
            if (m.reference == null || !m.reference.has("ours_over_reference_at_awp")) {
                String why =
                        m.referenceSkipped != null
                                ? m.referenceSkipped
                                : m.reference == null
                                        ? "not run"
                                        : m.reference.get("error").getAsString();
                line("  %s: skipped: %s", m.label, firstLine(why));
                continue;
            }
            if (!any) {
                line(
                        "%-22s %-22s %-22s %-7s %-7s %-22s %-7s %s",
                        "model",
                        "ours AT-AWP",
                        "ref AT-AWP",
                        "ratio",
                        "target",
                        "ref AT",
                        "ours/ref AT",
                        "ref AWP overhead");
                any = true;
            }
            JsonObject r = m.reference;
            double ratio = r.get("ours_over_reference_at_awp").getAsDouble();
            line(
                    "%-22s %-22s %-22s %-7.3f %-7s %-22s %-11.3f %.3f",
                    m.label,
                    m.atAwp.format(1),
                    format(r.getAsJsonObject("at_awp_ms")),
                    ratio,
                    ratio <= REFERENCE_TARGET ? "met" : "MISSED",
                    format(r.getAsJsonObject("at_ms")),
                    r.get("ours_over_reference_at").getAsDouble(),
                    r.get("reference_overhead_ratio").getAsDouble());
        }
        if (any) {
            line(
                    "  the two processes run one after the other, not interleaved: on a loaded"
                            + " machine compare the load averages");
        }
        for (ModelResult m : models) {
            if (m.reference == null || !m.reference.has("phases_at_awp_ms")) {
                continue;
            }
            JsonObject p = m.reference.getAsJsonObject("phases_at_awp_ms");
            line(
                    "  %s, reference AT-AWP phases: attack %.1f, v %.1f + perturb %.1f, fwd/bwd"
                            + " %.1f, step %.1f + restore %.1f (torch %s, threads %d/%d)",
                    m.label,
                    median(p, "attack"),
                    median(p, "awp_v"),
                    median(p, "perturb"),
                    median(p, "update_fwd_bwd"),
                    median(p, "step"),
                    median(p, "restore"),
                    m.reference.get("torch_version").getAsString(),
                    m.reference.get("threads").getAsInt(),
                    m.reference.get("interop_threads").getAsInt());
            line(
                    "  %s, same work on both engines: fwd/bwd ours/ref %.3f; input-gradient"
                            + " PGD ours/ref %.3f",
                    m.label,
                    m.reference.get("ours_over_reference_fwd_bwd").getAsDouble(),
                    m.reference.get("ours_over_reference_attack_input_only").getAsDouble());
        }

        line("");
        line(
                "4. Memory: extra native memory of AT-AWP over AT (target <= %.1fx the parameter"
                        + " bytes)",
                MEMORY_TARGET);
        line(
                "%-22s %-12s %-16s %-18s %-16s %-8s %-7s %s",
                "model",
                "params MB",
                "perturbed MB",
                "live arrays +MB",
                "peak RSS +MB",
                "xparams",
                "target",
                "reference: peak RSS +MB (xparams)");
        for (ModelResult m : models) {
            double x = m.extraMemoryRatio();
            String ref = "-";
            if (m.reference != null && m.reference.has("raw")) {
                JsonElement mem = m.reference.getAsJsonObject("raw").get("memory");
                if (mem != null && mem.isJsonObject()) {
                    JsonObject o = mem.getAsJsonObject();
                    long extra =
                            o.get("at_awp_peak_rss_bytes").getAsLong()
                                    - o.get("at_peak_rss_bytes").getAsLong();
                    ref =
                            String.format(
                                    Locale.ROOT,
                                    "%.1f (%.2f)",
                                    extra / MB,
                                    (double) extra / m.parameterBytes);
                }
            }
            line(
                    "%-22s %-12.2f %-16.2f %-18.2f %-16s %-8.2f %-7s %s",
                    m.label,
                    m.parameterBytes / MB,
                    m.perturbedBytes / MB,
                    m.extraLive() / MB,
                    String.format(Locale.ROOT, "%.1f", m.extraPeak() / MB)
                            + (m.rssResolves() ? "" : " (noise)"),
                    x,
                    x <= MEMORY_TARGET ? "met" : "MISSED",
                    ref);
        }
        line(
                "  peak RSS over %d AT steps, then over %d AT-AWP steps (VmHWM, reset between%s);"
                        + " judged: max(live arrays, peak RSS), live arrays alone below %d MB of"
                        + " parameters",
                options.memorySteps,
                options.memorySteps,
                models.isEmpty() || models.get(0).peakResetWorks ? "" : " - RESET UNSUPPORTED",
                RSS_RESOLUTION_BYTES >> 20);
        if (leak != null) {
            JsonArray c = leak.getAsJsonArray("checkpoints");
            JsonObject first = c.get(0).getAsJsonObject();
            JsonObject last = c.get(c.size() - 1).getAsJsonObject();
            line(
                    "  leak check, %d AT-AWP steps on %s: live NDArrays %d -> %d (%s); RSS %.1f ->"
                            + " %.1f MB, second half %+.1f MB, outside the JVM heap %+.1f MB (%s)",
                    leak.get("steps").getAsInt(),
                    leak.get("model").getAsString(),
                    first.get("live_arrays").getAsLong(),
                    last.get("live_arrays").getAsLong(),
                    leak.get("live_arrays_stable").getAsBoolean() ? "stable" : "GROWING",
                    first.get("rss_bytes").getAsLong() / MB,
                    last.get("rss_bytes").getAsLong() / MB,
                    leak.get("rss_growth_second_half_bytes").getAsLong() / MB,
                    leak.get("rss_minus_heap_growth_second_half_bytes").getAsLong() / MB,
                    leak.get("rss_stable").getAsBoolean() ? "stable" : "GROWING");
        }

        line("");
        line("5. Scaling: SmallCnn, a ratio per row");
        line(
                "%-7s %-7s %-11s %-22s %-22s %-7s %-10s %-11s %s",
                "width",
                "batch",
                "params",
                "AT",
                "AT-AWP",
                "ratio",
                "ms/example",
                "extra mem",
                "ours/ref");
        for (String kind : new String[] {"batch", "width"}) {
            for (JsonElement e : scaling.getAsJsonArray(kind)) {
                JsonObject p = e.getAsJsonObject();
                double awp = p.getAsJsonObject("at_awp_ms").get("median").getAsDouble();
                String memory =
                        p.get("memory_resolved").getAsBoolean()
                                ? String.format(
                                        Locale.ROOT,
                                        "%.2fx",
                                        p.get("extra_peak_rss_over_parameter_bytes").getAsDouble())
                                : String.format(
                                        Locale.ROOT,
                                        "(%.0f KB)",
                                        p.get("extra_peak_rss_bytes").getAsLong() / 1024.0);
                String reference =
                        p.has("ours_over_reference_at_awp")
                                ? String.format(
                                        Locale.ROOT,
                                        "%.3f",
                                        p.get("ours_over_reference_at_awp").getAsDouble())
                                : "-";
                line(
                        "%-7d %-7d %-11d %-22s %-22s %-7.3f %-10.2f %-11s %s",
                        p.get("width").getAsInt(),
                        p.get("batch").getAsInt(),
                        p.get("parameters").getAsLong(),
                        format(p.getAsJsonObject("at_ms")),
                        format(p.getAsJsonObject("at_awp_ms")),
                        p.get("ratio").getAsDouble(),
                        awp / p.get("batch").getAsInt(),
                        memory,
                        reference);
            }
        }
        line(
                "  extra mem = AT-AWP's extra peak RSS over the parameter bytes; in parentheses, the"
                        + " raw difference where the parameters are below %d MB (allocator noise);"
                        + " ours/ref = our AT-AWP step over the reference procedure's",
                RSS_RESOLUTION_BYTES >> 20);
    }

    private static String format(JsonObject stats) {
        return String.format(
                Locale.ROOT,
                "%.1f [%.1f-%.1f]",
                stats.get("median").getAsDouble(),
                stats.get("min").getAsDouble(),
                stats.get("max").getAsDouble());
    }

    private static double median(JsonObject phases, String name) {
        JsonObject stats = phases.getAsJsonObject(name);
        return stats == null ? Double.NaN : stats.get("median").getAsDouble();
    }

    void line(String format, Object... args) {
        table.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
