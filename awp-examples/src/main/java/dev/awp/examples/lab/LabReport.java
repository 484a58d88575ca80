package dev.awp.examples.lab;

import dev.awp.attack.BatchNormMode;
import dev.awp.djl.diagnostics.LandscapeResult;
import dev.awp.djl.diagnostics.Plots;
import dev.awp.examples.lab.LabStatistics.Interval;
import dev.awp.perturbation.PerturbationDirection;
import dev.awp.report.EpochMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Writes the lab's report: {@code report.md} with the verdict on each claim, the plots and {@code
 * lab.json}.
 */
final class LabReport {

    private LabReport() {}

    /**
     * Writes {@code report.md}, {@code lab.json} and the plots of seed 0 into {@code output}.
     *
     * @return the path of {@code report.md}
     */
    static Path write(
            Path output,
            List<Run> runs,
            LabSettings s,
            int threads,
            String dataName,
            String command,
            double minutes)
            throws IOException {
        Map<String, List<Run>> byLabel = new LinkedHashMap<>();
        for (Run run : runs) {
            byLabel.computeIfAbsent(run.method().label(), k -> new ArrayList<>()).add(run);
        }
        StringBuilder md = new StringBuilder();
        md.append("# Robust-overfitting lab\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Arguments: `%s`.%n%nData: %s, %d training and %d test images."
                                + " Augmentation: %s. Model: %s, width %d. %d epochs, batch %d,"
                                + " optimizer: %s; learning rate ×0.1 from %.0f %% of the run,"
                                + " ×0.01 from %.0f %%. Training attacks: each recipe's (PGD-10 for AT, TRADES's and MART's"
                                + " for them, steps scaled to ε), BatchNorm in %s mode. Test"
                                + " robust accuracy: PGD-20 on the %d test images every %d"
                                + " epochs; train robust accuracy: PGD-20 on %d training images."
                                + " AWP: γ = %s for AT-AWP and γ/2 for TRADES-AWP and MART-AWP"
                                + " (the paper's ratio), from epoch %d. Seeds: %d. %d runs in"
                                + " %.1f minutes on %d cores (%s) with %d PyTorch thread(s), Java %s.%n%n",
                        command,
                        dataName,
                        s.trainSize(),
                        s.testSize(),
                        s.augmentation().describe(),
                        s.model(),
                        s.width(),
                        s.epochs(),
                        s.batchSize(),
                        LabMethods.optimizer(s),
                        100 * s.decayAt(),
                        100 * (1 + s.decayAt()) / 2,
                        s.attackBn() == BatchNormMode.TRAIN ? "training" : "inference",
                        s.testSize(),
                        s.evalEvery(),
                        s.trainEvalSize(),
                        s.gamma(),
                        s.warmup(),
                        s.seeds(),
                        runs.size(),
                        minutes,
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("os.arch"),
                        threads,
                        System.getProperty("java.version")));
        md.append(
                "Intervals are 95 %: ± over seeds is Student's t interval of the mean; \"± examples\""
                        + " is the mean half-width of the runs' Wilson intervals (the sampling error"
                        + " of the test set alone).\n\n");
        appendVerdicts(md, byLabel, s);
        md.append("## Every method, mean over seeds\n\n");
        md.append(
                "| method | best test robust | last test robust | ± examples | best − last | last"
                        + " test clean | last train robust | train−test robust gap | minutes per"
                        + " run |\n|---|---|---|---|---|---|---|---|---|\n");
        byLabel.forEach(
                (label, list) ->
                        md.append(
                                String.format(
                                        Locale.ROOT,
                                        "| %s | %s | %s | %.1f | %s | %s | %s | %s | %.1f |%n",
                                        label,
                                        pct(list, Run::bestRobust),
                                        pct(list, r -> r.lastRobust().value()),
                                        100 * average(list, Run::exampleHalfWidth),
                                        pct(list, Run::drop),
                                        pct(list, Run::lastClean),
                                        pct(list, Run::lastTrainRobust),
                                        pct(list, Run::lastGap),
                                        average(list, Run::seconds) / 60)));
        md.append("\nPercentages; best − last and the gap in points.\n\n");
        List<Run> diagnosed = runs.stream().filter(r -> r.method().diagnostics()).toList();
        if (!diagnosed.isEmpty()) {
            md.append(
                    "## Weight loss landscape and weight perturbations\n\n| method | landscape"
                            + " sharpness | random Δloss | adversarial Δloss |\n|---|---|---|---|\n");
            byLabel.forEach(
                    (label, list) -> {
                        if (list.get(0).method().diagnostics()) {
                            md.append(
                                    String.format(
                                            Locale.ROOT,
                                            "| %s | %s | %s | %s |%n",
                                            label,
                                            num(list, r -> r.landscape().sharpness()),
                                            num(list, r -> r.comparison().randomIncrease()),
                                            num(list, r -> r.comparison().adversarialIncrease())));
                        }
                    });
            md.append(
                    "\nSharpness: mean adversarial loss at α = ±1 minus the loss at α = 0 along a"
                            + " filter-normalized Gaussian direction (PGD-5 regenerated at every α,"
                            + " 200 test images). Random/adversarial Δloss: training-mode loss"
                            + " increase of a random and of AWP's weight perturbation, both with"
                            + " ‖v_l‖ = 0.01‖w_l‖, on the same 200 images.\n\n");
        }
        md.append(
                "## Per run\n\n| method | seed | best test robust (epoch) | last test robust [Wilson"
                        + " 95 %] | last clean | last train robust | gap | seconds |\n"
                        + "|---|---|---|---|---|---|---|---|\n");
        for (Run run : runs) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %.1f %% (%d) | %.1f %% [%.1f, %.1f] | %.1f %% | %.1f %% |"
                                    + " %.1f | %.0f |%n",
                            run.method().label(),
                            run.seed(),
                            100 * run.bestRobust(),
                            run.bestEpoch(),
                            100 * run.lastRobust().value(),
                            100 * run.lastRobust().lower(),
                            100 * run.lastRobust().upper(),
                            100 * run.lastClean(),
                            100 * run.lastTrainRobust(),
                            100 * run.lastGap(),
                            run.seconds()));
        }
        md.append(
                "\n![training curves, seed 0](curves.png)\n\n![weight loss landscape, seed"
                        + " 0](landscape.png)\n");

        Map<String, List<EpochMetrics>> curves = new LinkedHashMap<>();
        List<LandscapeResult> landscapes = new ArrayList<>();
        for (Run run : runs) {
            if (run.seed() == 0 && run.method().diagnostics()) {
                curves.put(run.method().name(), run.epochs());
                landscapes.add(run.landscape());
            }
        }
        if (!curves.isEmpty()) {
            Plots.trainingCurves(output.resolve("curves"), curves);
            Plots.landscape(output.resolve("landscape"), landscapes);
        }
        Files.writeString(
                output.resolve("lab.json"), LabJson.json(runs, s, dataName, command, minutes));
        Path report = output.resolve("report.md");
        Files.writeString(report, md.toString());
        return report;
    }

    /** The claims, each with its rule and what the numbers say. */
    private static void appendVerdicts(
            StringBuilder md, Map<String, List<Run>> byLabel, LabSettings s) {
        md.append("## The paper's claims: what reproduced\n\n");
        List<Run> at = byLabel.get(Family.AT.base);
        List<Run> awp =
                at == null ? null : byLabel.get(new Method(Family.AT, s.gamma(), true).label());
        if (at != null && awp != null) {
            Interval drop = LabStatistics.mean(values(at, Run::drop));
            md.append(
                    verdict(
                            "1a. PGD-AT overfits robustly (test robust accuracy falls from its best"
                                    + " to the last epoch)",
                            "best − last of PGD-AT > 0, interval over seeds",
                            drop,
                            "best − last = "
                                    + drop.format(100, 1)
                                    + " points; last train robust "
                                    + LabStatistics.mean(values(at, Run::lastTrainRobust))
                                            .format(100, 1)
                                    + " %"));
            Interval dropDiff =
                    LabStatistics.pairedDifference(values(at, Run::drop), values(awp, Run::drop));
            md.append(
                    verdict(
                            "1b. AWP curbs it (a smaller best − last drop)",
                            "PGD-AT drop − AT-AWP drop > 0, paired by seed",
                            dropDiff,
                            "difference " + dropDiff.format(100, 1) + " points"));
            Interval gapDiff =
                    LabStatistics.pairedDifference(
                            values(at, Run::lastGap), values(awp, Run::lastGap));
            md.append(
                    verdict(
                            "1c. AWP narrows the train−test robust gap",
                            "PGD-AT gap − AT-AWP gap > 0, paired by seed",
                            gapDiff,
                            "difference " + gapDiff.format(100, 1) + " points"));
            Interval lastDiff =
                    LabStatistics.pairedDifference(
                            values(awp, r -> r.lastRobust().value()),
                            values(at, r -> r.lastRobust().value()));
            md.append(
                    verdict(
                            "1d. AT-AWP ends more robust than PGD-AT",
                            "last test robust AT-AWP − PGD-AT > 0, paired by seed",
                            lastDiff,
                            "difference " + lastDiff.format(100, 1) + " points"));
            Interval sharpness =
                    LabStatistics.pairedDifference(
                            values(at, r -> r.landscape().sharpness()),
                            values(awp, r -> r.landscape().sharpness()));
            md.append(
                    verdict(
                            "2. AT-AWP's weight loss landscape is flatter",
                            "sharpness PGD-AT − AT-AWP > 0, paired by seed",
                            sharpness,
                            "difference " + sharpness.format(1, 3)));
            List<Run> both = new ArrayList<>(at);
            both.addAll(awp);
            Interval randomVsAdversarial =
                    LabStatistics.pairedDifference(
                            values(both, r -> r.comparison().adversarialIncrease()),
                            values(both, r -> r.comparison().randomIncrease()));
            md.append(
                    verdict(
                            "3. An adversarial weight perturbation raises the loss more than a"
                                    + " random one of the same size",
                            "adversarial Δloss − random Δloss > 0 over all PGD-AT and AT-AWP runs",
                            randomVsAdversarial,
                            "random Δloss "
                                    + LabStatistics.mean(
                                                    values(
                                                            both,
                                                            r -> r.comparison().randomIncrease()))
                                            .format(1, 4)
                                    + ", adversarial "
                                    + LabStatistics.mean(
                                                    values(
                                                            both,
                                                            r ->
                                                                    r.comparison()
                                                                            .adversarialIncrease()))
                                            .format(1, 3)));
        }
        appendSweep(md, byLabel, s);
        for (Family family : List.of(Family.TRADES, Family.MART)) {
            List<Run> base = byLabel.get(family.base);
            List<Run> with = byLabel.get(new Method(family, s.gamma() / 2, false).label());
            if (base != null && with != null) {
                Interval diff =
                        LabStatistics.pairedDifference(
                                values(with, r -> r.lastRobust().value()),
                                values(base, r -> r.lastRobust().value()));
                Interval gap =
                        LabStatistics.pairedDifference(
                                values(base, Run::lastGap), values(with, Run::lastGap));
                md.append(
                        verdict(
                                "5. " + family.withAwp + " ends more robust than " + family.base,
                                "last test robust "
                                        + family.withAwp
                                        + " − "
                                        + family.base
                                        + " > 0, paired by seed",
                                diff,
                                "difference "
                                        + diff.format(100, 1)
                                        + " points; gap "
                                        + family.base
                                        + " − "
                                        + family.withAwp
                                        + " "
                                        + gap.format(100, 1)
                                        + " points"));
            }
        }
        appendWithoutExtraPass(md, byLabel, s);
        md.append(
                "\nA claim is *reproduced* when the 95 % interval of its difference lies above"
                        + " zero, *contradicted* when it lies below, and *not resolved* otherwise"
                        + " (including with one seed, where there is no interval).\n\n");
    }

    /**
     * Claim 6 ({@code --parts at,cheap}): AT-AWP with {@code LAST_ATTACK_STEP} (no extra pass)
     * under the rules of claims 1b–1d against PGD-AT, and its last test robust accuracy against
     * exact AT-AWP's.
     */
    private static void appendWithoutExtraPass(
            StringBuilder md, Map<String, List<Run>> byLabel, LabSettings s) {
        List<Run> at = byLabel.get(Family.AT.base);
        List<Run> exact = byLabel.get(new Method(Family.AT, s.gamma(), true).label());
        List<Run> cheap =
                byLabel.get(
                        new Method(
                                        Family.AT,
                                        s.gamma(),
                                        false,
                                        PerturbationDirection.LAST_ATTACK_STEP)
                                .label());
        if (at == null || exact == null || cheap == null) {
            return;
        }
        String name = "AT-AWP (last attack step)";
        Interval drop =
                LabStatistics.pairedDifference(values(at, Run::drop), values(cheap, Run::drop));
        md.append(
                verdict(
                        "6a. " + name + " curbs robust overfitting",
                        "PGD-AT drop − " + name + " drop > 0, paired by seed",
                        drop,
                        "difference " + drop.format(100, 1) + " points"));
        Interval gap =
                LabStatistics.pairedDifference(
                        values(at, Run::lastGap), values(cheap, Run::lastGap));
        md.append(
                verdict(
                        "6b. " + name + " narrows the train−test robust gap",
                        "PGD-AT gap − " + name + " gap > 0, paired by seed",
                        gap,
                        "difference " + gap.format(100, 1) + " points"));
        Interval last =
                LabStatistics.pairedDifference(
                        values(cheap, r -> r.lastRobust().value()),
                        values(at, r -> r.lastRobust().value()));
        md.append(
                verdict(
                        "6c. " + name + " ends more robust than PGD-AT",
                        "last test robust " + name + " − PGD-AT > 0, paired by seed",
                        last,
                        "difference " + last.format(100, 1) + " points"));
        Interval versusExact =
                LabStatistics.pairedDifference(
                        values(cheap, r -> r.lastRobust().value()),
                        values(exact, r -> r.lastRobust().value()));
        Interval time =
                LabStatistics.mean(
                        ratios(values(cheap, Run::seconds), values(exact, Run::seconds)));
        md.append(
                verdict(
                        "6d. " + name + " ends more robust than exact AT-AWP",
                        "last test robust "
                                + name
                                + " − AT-AWP > 0, paired by seed (not resolved: no difference"
                                + " this budget can see)",
                        versusExact,
                        "difference "
                                + versusExact.format(100, 1)
                                + " points; run time over AT-AWP's "
                                + time.format(1, 3)
                                + " (whole runs, evaluation included)"));
    }

    private static double[] ratios(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        return r;
    }

    private static void appendSweep(
            StringBuilder md, Map<String, List<Run>> byLabel, LabSettings s) {
        if (!s.parts().contains("sweep")) {
            return;
        }
        List<Double> gammas = new ArrayList<>(s.gammas());
        gammas.sort(Double::compare);
        List<double[]> rows = new ArrayList<>();
        StringBuilder table =
                new StringBuilder(
                        "\n| γ | last train robust | last test robust | best test robust |"
                                + " gap |\n|---|---|---|---|---|\n");
        for (double gamma : gammas) {
            List<Run> list = byLabel.get(new Method(Family.AT, gamma, false).label());
            if (list == null) {
                continue;
            }
            double train = average(list, Run::lastTrainRobust);
            double test = average(list, r -> r.lastRobust().value());
            double gap = average(list, Run::lastGap);
            rows.add(new double[] {gamma, train, test, gap});
            table.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s |%n",
                            gamma,
                            pct(list, Run::lastTrainRobust),
                            pct(list, r -> r.lastRobust().value()),
                            pct(list, Run::bestRobust),
                            pct(list, Run::lastGap)));
        }
        if (rows.size() < 3) {
            return;
        }
        // the claim: as γ grows, train robust accuracy falls and the gap shrinks (a trend over the
        // whole sweep, not every step), and test robustness peaks at an intermediate γ
        double[] first = rows.get(0);
        double[] lastRow = rows.get(rows.size() - 1);
        int peak = 0;
        for (int i = 1; i < rows.size(); i++) {
            if (rows.get(i)[2] > rows.get(peak)[2]) {
                peak = i;
            }
        }
        Interval trainDiff =
                LabStatistics.pairedDifference(
                        values(
                                byLabel.get(new Method(Family.AT, first[0], false).label()),
                                Run::lastTrainRobust),
                        values(
                                byLabel.get(new Method(Family.AT, lastRow[0], false).label()),
                                Run::lastTrainRobust));
        Interval gapDiff =
                LabStatistics.pairedDifference(
                        values(
                                byLabel.get(new Method(Family.AT, first[0], false).label()),
                                Run::lastGap),
                        values(
                                byLabel.get(new Method(Family.AT, lastRow[0], false).label()),
                                Run::lastGap));
        md.append(
                verdict(
                        "4a. Train robust accuracy falls as γ grows",
                        "train robust at the smallest γ − at the largest > 0, paired by seed",
                        trainDiff,
                        "difference " + trainDiff.format(100, 1) + " points"));
        md.append(
                verdict(
                        "4b. The train−test robust gap shrinks as γ grows",
                        "gap at the smallest γ − at the largest > 0, paired by seed",
                        gapDiff,
                        "difference " + gapDiff.format(100, 1) + " points"));
        double peakGamma = rows.get(peak)[0];
        boolean interior = peak != 0 && peak != rows.size() - 1;
        md.append(
                String.format(
                        Locale.ROOT,
                        "- **4c. Test robustness peaks at an intermediate γ (the paper: 0.005–0.01)**:"
                                + " mean last test robust accuracy is highest at γ = %s (%.1f %%),"
                                + " %s. Rule: the mean's maximum is not at either end of the"
                                + " sweep; no interval.%n",
                        peakGamma,
                        100 * rows.get(peak)[2],
                        interior ? "an intermediate value" : "an end of the sweep"));
        md.append(table).append('\n');
    }

    /** A claim's line: reproduced if {@code difference} lies above zero, contradicted if below. */
    private static String verdict(String claim, String rule, Interval difference, String numbers) {
        String outcome =
                difference.above(0)
                        ? "reproduced"
                        : difference.below(0) ? "contradicted" : "not resolved";
        return String.format(
                Locale.ROOT, "- **%s**: *%s*. %s. Rule: %s.%n", claim, outcome, numbers, rule);
    }

    static double[] values(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).toArray();
    }

    private static double average(List<Run> runs, ToDoubleFunction<Run> f) {
        return Arrays.stream(values(runs, f)).average().orElse(Double.NaN);
    }

    private static String pct(List<Run> runs, ToDoubleFunction<Run> f) {
        return LabStatistics.mean(values(runs, f)).format(100, 1);
    }

    private static String num(List<Run> runs, ToDoubleFunction<Run> f) {
        return LabStatistics.mean(values(runs, f)).format(1, 3);
    }
}
