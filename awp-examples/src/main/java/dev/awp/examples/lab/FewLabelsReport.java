package dev.awp.examples.lab;

import dev.awp.examples.lab.FewLabelsLab.Result;
import dev.awp.examples.lab.LabStatistics.Interval;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The report of {@link FewLabelsLab}: per-seed numbers, intervals over seeds and the verdicts. */
final class FewLabelsReport {

    private static final List<String> METHODS =
            List.of("TRADES-AWP", "TRADES-AWP + EMA", "RST-AWP", "RST-AWP + EMA");

    private FewLabelsReport() {}

    static String markdown(
            List<Result> results,
            String settings,
            String rules,
            List<String> pseudoAccuracies,
            double minutes) {
        StringBuilder out = new StringBuilder();
        out.append("# Few labels: RST-AWP vs TRADES-AWP, with and without EMA\n\n");
        out.append("Settings: ").append(settings).append(".\n\n");
        out.append("Rules (fixed before the run): ").append(rules).append(".\n\n");
        out.append("Pseudo-label accuracy on the pool, per seed: ")
                .append(String.join(", ", pseudoAccuracies))
                .append(".\n\n");
        out.append(String.format(Locale.ROOT, "Wall time: %.1f minutes.%n%n", minutes));
        out.append("## Mean over seeds (95 % t-interval), percent\n\n");
        out.append(
                "| method | clean | PGD-20 test | APGD-CE + APGD-T test | PGD-20 train | robust"
                        + " gap |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (String method : METHODS) {
            out.append("| ")
                    .append(method)
                    .append(" | ")
                    .append(mean(results, method, Result::clean))
                    .append(" | ")
                    .append(mean(results, method, Result::robust))
                    .append(" | ")
                    .append(mean(results, method, Result::autoAttack))
                    .append(" | ")
                    .append(mean(results, method, Result::trainRobust))
                    .append(" | ")
                    .append(mean(results, method, r -> r.trainRobust() - r.robust()))
                    .append(" |\n");
        }
        out.append("\n## Verdicts (paired by seed, test PGD-20)\n\n");
        verdict(out, results, "RST-AWP", "TRADES-AWP", Result::robust);
        verdict(out, results, "TRADES-AWP + EMA", "TRADES-AWP", Result::robust);
        verdict(out, results, "RST-AWP + EMA", "RST-AWP", Result::robust);
        out.append(
                "\n## The same differences in APGD-CE + APGD-T accuracy (reported, not a rule)\n\n");
        verdict(out, results, "RST-AWP", "TRADES-AWP", Result::autoAttack);
        verdict(out, results, "TRADES-AWP + EMA", "TRADES-AWP", Result::autoAttack);
        verdict(out, results, "RST-AWP + EMA", "RST-AWP", Result::autoAttack);
        out.append("\n## Per seed, percent\n\n");
        out.append(
                "| seed | method | clean | PGD-20 test | APGD-CE + APGD-T test | PGD-20 train |\n"
                        + "|---|---|---|---|---|---|\n");
        for (Result r : results) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %s | %.1f | %.1f | %.1f | %.1f |%n",
                            r.seed(),
                            r.method(),
                            100 * r.clean(),
                            100 * r.robust(),
                            100 * r.autoAttack(),
                            100 * r.trainRobust()));
        }
        return out.toString();
    }

    private static double[] values(
            List<Result> results, String method, ToDoubleFunction<Result> value) {
        return results.stream().filter(r -> r.method().equals(method)).mapToDouble(value).toArray();
    }

    private static String mean(
            List<Result> results, String method, ToDoubleFunction<Result> value) {
        return LabStatistics.mean(values(results, method, value)).format(100, 1);
    }

    private static void verdict(
            StringBuilder out,
            List<Result> results,
            String a,
            String b,
            ToDoubleFunction<Result> value) {
        Interval difference =
                LabStatistics.pairedDifference(
                        values(results, a, value), values(results, b, value));
        String verdict =
                difference.above(0)
                        ? "holds"
                        : difference.below(0) ? "reversed (significantly worse)" : "not shown";
        out.append(
                String.format(
                        Locale.ROOT,
                        "- %s − %s: %s points → %s%n",
                        a,
                        b,
                        difference.format(100, 1),
                        verdict));
    }
}
