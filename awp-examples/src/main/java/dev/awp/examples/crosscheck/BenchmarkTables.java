package dev.awp.examples.crosscheck;

import com.google.common.math.Quantiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The tables {@link AutoAttackBenchmark} prints: wall times, then each side's CPU times. */
final class BenchmarkTables {

    private BenchmarkTables() {}

    /**
     * The first table: each attack's median wall seconds on both sides, their ratio and each side's
     * work; returns per attack the medians (awp's, then the reference's when it ran).
     */
    static Map<String, double[]> print(
            List<String> attacks,
            Map<String, List<Double>> awpSeconds,
            Map<String, List<Double>> referenceSeconds,
            Map<String, String> awpWork,
            Map<String, String> referenceWork,
            String reference) {
        Map<String, double[]> medians = new LinkedHashMap<>();
        System.out.println();
        System.out.println(
                "| attack | awp (median s) [rounds] | reference (median s) [rounds] | awp / reference"
                        + " | awp: robust, passes per image | reference: robust, passes per image |");
        System.out.println("|---|---|---|---|---|---|");
        double awpTotal = 0;
        double referenceTotal = 0;
        for (String name : attacks) {
            double awp = Quantiles.median().compute(awpSeconds.get(name));
            awpTotal += awp;
            if (reference == null) {
                medians.put(name, new double[] {awp});
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %.2f %s | not run | | %s | |%n",
                        name,
                        awp,
                        rounded(awpSeconds.get(name)),
                        awpWork.get(name));
                continue;
            }
            double ref = Quantiles.median().compute(referenceSeconds.get(name));
            referenceTotal += ref;
            medians.put(name, new double[] {awp, ref});
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.2f %s | %.2f %s | %.2f | %s | %s |%n",
                    name,
                    awp,
                    rounded(awpSeconds.get(name)),
                    ref,
                    rounded(referenceSeconds.get(name)),
                    awp / ref,
                    awpWork.get(name),
                    referenceWork.get(name));
        }
        if (reference != null) {
            System.out.printf(
                    Locale.ROOT,
                    "| **all** | %.2f | %.2f | %.2f | | |%n",
                    awpTotal,
                    referenceTotal,
                    awpTotal / referenceTotal);
        } else {
            System.out.println("reference not run: pass --autoattack with its checkout");
        }
        return medians;
    }

    /** The second table: each side's process CPU seconds per attack, medians over the rounds. */
    static void printCpu(
            List<String> attacks,
            Map<String, List<Double>> awpCpuSeconds,
            Map<String, List<Double>> referenceCpuSeconds,
            String reference) {
        System.out.println();
        System.out.println(
                "| attack | awp CPU (median s) [rounds] | reference CPU (median s) [rounds] | awp /"
                        + " reference |");
        System.out.println("|---|---|---|---|");
        double awpTotal = 0;
        double referenceTotal = 0;
        for (String name : attacks) {
            double awp = Quantiles.median().compute(awpCpuSeconds.get(name));
            awpTotal += awp;
            if (reference == null) {
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %.2f %s | not run | |%n",
                        name,
                        awp,
                        rounded(awpCpuSeconds.get(name)));
                continue;
            }
            double ref = Quantiles.median().compute(referenceCpuSeconds.get(name));
            referenceTotal += ref;
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.2f %s | %.2f %s | %.2f |%n",
                    name,
                    awp,
                    rounded(awpCpuSeconds.get(name)),
                    ref,
                    rounded(referenceCpuSeconds.get(name)),
                    awp / ref);
        }
        if (reference != null) {
            System.out.printf(
                    Locale.ROOT,
                    "| **all** | %.2f | %.2f | %.2f |%n",
                    awpTotal,
                    referenceTotal,
                    awpTotal / referenceTotal);
        }
    }

    private static List<String> rounded(List<Double> values) {
        List<String> out = new ArrayList<>();
        for (double v : values) {
            out.add(String.format(Locale.ROOT, "%.1f", v));
        }
        return out;
    }
}
