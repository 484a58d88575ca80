package dev.awp.examples.benchmark;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Summary of repeated measurements: the median and the spread (min, max and the quartiles).
 *
 * @param samples the measurements, in the order they were taken
 * @param median the median
 * @param min the smallest measurement
 * @param max the largest measurement
 * @param q1 the first quartile (linear interpolation)
 * @param q3 the third quartile (linear interpolation)
 */
record Stats(List<Double> samples, double median, double min, double max, double q1, double q3) {

    static Stats of(List<Double> samples) {
        checkArgument(!samples.isEmpty(), "samples must not be empty");
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return new Stats(
                List.copyOf(samples),
                quantile(sorted, 0.5),
                sorted.get(0),
                sorted.get(sorted.size() - 1),
                quantile(sorted, 0.25),
                quantile(sorted, 0.75));
    }

    /** Element-wise ratios {@code a[i] / b[i]} of paired measurements. */
    static Stats ratios(List<Double> a, List<Double> b) {
        checkArgument(a.size() == b.size(), "paired samples must have the same size");
        List<Double> ratios = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        return of(ratios);
    }

    private static double quantile(List<Double> sorted, double q) {
        double position = q * (sorted.size() - 1);
        int lower = (int) Math.floor(position);
        int upper = (int) Math.ceil(position);
        double fraction = position - lower;
        return sorted.get(lower) * (1 - fraction) + sorted.get(upper) * fraction;
    }

    /** {@code "median [min–max]"} with the given number of decimals. */
    String format(int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " [" + f + "-" + f + "]", median, min, max);
    }

    JsonObject toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("n", samples.size());
        json.addProperty("median", median);
        json.addProperty("min", min);
        json.addProperty("max", max);
        json.addProperty("q1", q1);
        json.addProperty("q3", q3);
        JsonArray all = new JsonArray();
        samples.forEach(all::add);
        json.add("samples", all);
        return json;
    }
}
