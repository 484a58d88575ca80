package dev.awp.examples.benchmark;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.awp.examples.ExampleArgs;
import dev.awp.perturbation.PerturbationDirection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The step time of AWP without the extra pass ({@link PerturbationDirection#LAST_ATTACK_STEP})
 * against PGD-AT and exact AT-AWP, side by side in one process: two fixtures built from the same
 * seed (the same initial weights and batch), one whose optimizer is exact AWP and one whose is the
 * last attack step's; each round times, in a rotating order, an AT step and an AT-AWP step on each.
 * The ratios are medians over rounds of the per-round ratio to the AT step on the same fixture.
 * Target (issue #24): last attack step / AT ≤ 1.03 where exact AWP / AT is about 1.10.
 *
 * <p>Options: {@code --rounds N} (5), {@code --resnet-rounds N} (4), {@code --no-resnet}, {@code
 * --width N} (16), {@code --batch N} (32), {@code --resnet-batch N} (8), {@code --threads N} (1,
 * PyTorch intra- and inter-op), {@code --output PATH} (JSON; a {@code .txt} table beside it).
 */
public final class WithoutExtraPassBenchmark {

    private WithoutExtraPassBenchmark() {}

    /**
     * Runs the benchmark from the command line.
     *
     * @param args the options
     * @throws IOException if the report cannot be written
     */
    public static void main(String[] args) throws IOException {
        runExample(args);
    }

    /**
     * Runs the benchmark and writes the report.
     *
     * @param args the options
     * @return the table
     * @throws IOException if the report cannot be written
     */
    public static String runExample(String... args) throws IOException {
        ExampleArgs options =
                ExampleArgs.parse(
                        args,
                        Set.of(
                                "rounds",
                                "resnet-rounds",
                                "width",
                                "batch",
                                "resnet-batch",
                                "threads",
                                "output",
                                "attack-steps"),
                        Set.of("no-resnet"));
        int threads = options.integer("threads", 1, 1);
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
        int rounds = options.integer("rounds", 5, 1);
        int resnetRounds = options.integer("resnet-rounds", 4, 1);
        int width = options.integer("width", 16, 1);
        int batch = options.integer("batch", 32, 1);
        int resnetBatch = options.integer("resnet-batch", 8, 1);
        int attackSteps = options.integer("attack-steps", 10, 1);
        Path output = Path.of(options.string("output", "target/benchmark/without-extra-pass.json"));
        String loadStart = AwpBenchmark.loadAverage();
        long started = System.nanoTime();

        JsonArray models = new JsonArray();
        models.add(
                measure(
                        StepFixture.smallCnn(
                                width, batch, attackSteps, 42, PerturbationDirection.EXACT),
                        StepFixture.smallCnn(
                                width,
                                batch,
                                attackSteps,
                                42,
                                PerturbationDirection.LAST_ATTACK_STEP),
                        rounds));
        if (!options.has("no-resnet")) {
            models.add(
                    measure(
                            StepFixture.preActResNet18(
                                    resnetBatch, attackSteps, 42, PerturbationDirection.EXACT),
                            StepFixture.preActResNet18(
                                    resnetBatch,
                                    attackSteps,
                                    42,
                                    PerturbationDirection.LAST_ATTACK_STEP),
                            resnetRounds));
        }
        JsonObject report = new JsonObject();
        JsonObject settings = new JsonObject();
        settings.addProperty("date", Instant.now().toString());
        settings.addProperty("cpu", AwpBenchmark.cpuModel());
        settings.addProperty("cores", Runtime.getRuntime().availableProcessors());
        settings.addProperty("threads", threads);
        settings.addProperty(
                "attack", "PGD-" + attackSteps + " L-inf 8/255, 2/255, BatchNorm train mode");
        settings.addProperty("gamma", StepFixture.GAMMA);
        settings.addProperty("load_average_start", loadStart);
        settings.addProperty("load_average_end", AwpBenchmark.loadAverage());
        settings.addProperty("duration_minutes", (System.nanoTime() - started) / 6e10);
        report.add("settings", settings);
        report.add("models", models);

        StringBuilder table = new StringBuilder();
        line(table, "AWP without the extra pass: step time against PGD-AT, side by side");
        line(
                table,
                "machine: %s, %d cores; threads %d; load average at start %s, at end %s",
                settings.get("cpu").getAsString(),
                settings.get("cores").getAsInt(),
                threads,
                loadStart,
                settings.get("load_average_end").getAsString());
        line(table, "%s, gamma %.2f", settings.get("attack").getAsString(), StepFixture.GAMMA);
        line(
                table,
                "%-22s %-7s %-22s %-22s %-22s %-14s %s",
                "model",
                "rounds",
                "AT (ms)",
                "AT-AWP exact (ms)",
                "AT-AWP last step (ms)",
                "exact / AT",
                "last step / AT (target <= 1.03)");
        for (int i = 0; i < models.size(); i++) {
            JsonObject m = models.get(i).getAsJsonObject();
            line(
                    table,
                    "%-22s %-7d %-22s %-22s %-22s %-14.3f %.3f",
                    m.get("label").getAsString(),
                    m.get("rounds").getAsInt(),
                    m.get("at_ms").getAsString(),
                    m.get("exact_ms").getAsString(),
                    m.get("last_attack_step_ms").getAsString(),
                    m.get("exact_over_at").getAsDouble(),
                    m.get("last_attack_step_over_at").getAsDouble());
        }
        line(
                table,
                "ratios: median over rounds of each AT-AWP step over the AT step of the same"
                        + " fixture and round; times median [min-max]");
        if (output.toAbsolutePath().getParent() != null) {
            Files.createDirectories(output.toAbsolutePath().getParent());
        }
        Files.writeString(
                output,
                new GsonBuilder().setPrettyPrinting().create().toJson(report) + "\n",
                StandardCharsets.UTF_8);
        String name = output.getFileName().toString();
        Path text = output.resolveSibling(name.replaceFirst("\\.json$", "") + ".txt");
        Files.writeString(text, table.toString(), StandardCharsets.UTF_8);
        System.out.print(table);
        return table.toString();
    }

    private static JsonObject measure(StepFixture exact, StepFixture cheap, int rounds) {
        try (exact;
                cheap) {
            AwpBenchmark.progress("%s: warm-up", exact.label);
            exact.at();
            exact.atAwp();
            cheap.at();
            cheap.atAwp();
            List<Double> atExact = new ArrayList<>();
            List<Double> awpExact = new ArrayList<>();
            List<Double> atCheap = new ArrayList<>();
            List<Double> awpCheap = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                AwpBenchmark.progress("%s: round %d of %d", exact.label, r + 1, rounds);
                for (int k = 0; k < 4; k++) {
                    switch ((r + k) % 4) {
                        case 0 -> atExact.add(exact.at());
                        case 1 -> awpExact.add(exact.atAwp());
                        case 2 -> atCheap.add(cheap.at());
                        default -> awpCheap.add(cheap.atAwp());
                    }
                }
            }
            JsonObject m = new JsonObject();
            m.addProperty("label", exact.label);
            m.addProperty("rounds", rounds);
            List<Double> at = new ArrayList<>(atExact);
            at.addAll(atCheap);
            m.addProperty("at_ms", Stats.of(at).format(1));
            m.addProperty("exact_ms", Stats.of(awpExact).format(1));
            m.addProperty("last_attack_step_ms", Stats.of(awpCheap).format(1));
            m.addProperty("exact_over_at", Stats.ratios(awpExact, atExact).median());
            m.addProperty("last_attack_step_over_at", Stats.ratios(awpCheap, atCheap).median());
            m.add("samples_ms", samples(atExact, awpExact, atCheap, awpCheap));
            return m;
        }
    }

    private static JsonObject samples(
            List<Double> atExact, List<Double> awpExact, List<Double> atCheap, List<Double> cheap) {
        JsonObject json = new JsonObject();
        json.add("at_exact_fixture", array(atExact));
        json.add("at_awp_exact", array(awpExact));
        json.add("at_last_attack_step_fixture", array(atCheap));
        json.add("at_awp_last_attack_step", array(cheap));
        return json;
    }

    private static JsonArray array(List<Double> values) {
        JsonArray array = new JsonArray();
        values.forEach(array::add);
        return array;
    }

    private static void line(StringBuilder table, String format, Object... args) {
        table.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
