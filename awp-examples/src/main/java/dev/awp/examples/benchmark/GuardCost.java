package dev.awp.examples.benchmark;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Section 6 of {@link AwpBenchmark}: the cost of the training step's guards and of its rollback,
 * measured one switch at a time on the same AT-AWP step ({@link StepFixture#guarded}): the step
 * without a check, with the checks, with the checks and the verified optimizer step (the library's
 * {@code trainStep}), and with the checks and a copy of every weight (the former rollback). The
 * four kinds run interleaved, in a rotating order, and each difference is the median of the
 * per-round differences, as a share of the library's step.
 */
final class GuardCost {

    private GuardCost() {}

    static JsonObject run(StepFixture f, int reps) {
        Map<StepFixture.Guards, List<Double>> times = new EnumMap<>(StepFixture.Guards.class);
        StepFixture.Guards[] kinds = StepFixture.Guards.values();
        for (StepFixture.Guards kind : kinds) {
            f.guarded(kind); // warm-up
            times.put(kind, new ArrayList<>());
        }
        for (int i = 0; i < reps; i++) {
            for (int k = 0; k < kinds.length; k++) {
                StepFixture.Guards kind = kinds[(i + k) % kinds.length];
                times.get(kind).add(f.guarded(kind));
            }
        }
        JsonObject json = new JsonObject();
        times.forEach((kind, t) -> json.add(name(kind) + "_ms", Stats.of(t).toJson()));
        double step = Stats.of(times.get(StepFixture.Guards.VERIFIED)).median();
        json.addProperty(
                "checks_share",
                difference(times, StepFixture.Guards.CHECKS, StepFixture.Guards.NONE) / step);
        json.addProperty(
                "verified_step_share",
                difference(times, StepFixture.Guards.VERIFIED, StepFixture.Guards.CHECKS) / step);
        json.addProperty(
                "copy_rollback_share",
                difference(times, StepFixture.Guards.COPY, StepFixture.Guards.CHECKS) / step);
        json.addProperty(
                "guards_and_rollback_share",
                difference(times, StepFixture.Guards.VERIFIED, StepFixture.Guards.NONE) / step);
        json.addProperty("rounds", reps);
        return json;
    }

    /** The median over rounds of {@code a − b}, in milliseconds. */
    private static double difference(
            Map<StepFixture.Guards, List<Double>> times,
            StepFixture.Guards a,
            StepFixture.Guards b) {
        List<Double> differences = new ArrayList<>();
        for (int i = 0; i < times.get(a).size(); i++) {
            differences.add(times.get(a).get(i) - times.get(b).get(i));
        }
        return Stats.of(differences).median();
    }

    static String name(StepFixture.Guards kind) {
        return switch (kind) {
            case NONE -> "no_checks";
            case CHECKS -> "checks";
            case VERIFIED -> "checks_verified_step";
            case COPY -> "checks_weight_copy";
        };
    }

    static void print(BenchmarkTable table, List<ModelResult> models) {
        table.line("");
        table.line(
                "6. Guards and rollback: one AT-AWP step with each switched on (target: guards +"
                        + " rollback < 2%% of the step)");
        table.line(
                "%-22s %-22s %-22s %-22s %-22s %-9s %-9s %-9s %s",
                "model",
                "no checks",
                "checks",
                "checks+verified step",
                "checks+weight copy",
                "checks",
                "verified",
                "copy",
                "guards+rollback");
        for (ModelResult m : models) {
            JsonObject g = m.json.getAsJsonObject("guards");
            if (g == null) {
                continue;
            }
            table.line(
                    "%-22s %-22s %-22s %-22s %-22s %-9s %-9s %-9s %s",
                    m.label,
                    format(g, "no_checks_ms"),
                    format(g, "checks_ms"),
                    format(g, "checks_verified_step_ms"),
                    format(g, "checks_weight_copy_ms"),
                    percent(g, "checks_share"),
                    percent(g, "verified_step_share"),
                    percent(g, "copy_rollback_share"),
                    percent(g, "guards_and_rollback_share"));
        }
        table.line(
                "  shares: median over rounds of the paired difference, over the library's step"
                        + " (checks + verified step); 'copy' is the former rollback (a copy of"
                        + " every weight per step), for comparison");
    }

    private static String format(JsonObject g, String key) {
        JsonObject s = g.getAsJsonObject(key);
        return String.format(
                Locale.ROOT,
                "%.1f [%.1f-%.1f]",
                s.get("median").getAsDouble(),
                s.get("min").getAsDouble(),
                s.get("max").getAsDouble());
    }

    private static String percent(JsonObject g, String key) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * g.get(key).getAsDouble());
    }
}
