package dev.awp.spark;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The wall time of a job's phases, in the order they ran, for the log and the outcome. */
final class Stopwatch {

    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private long last = System.nanoTime();

    /** Ends the phase {@code name}, started when the previous one ended. */
    void lap(String name) {
        long now = System.nanoTime();
        seconds.merge(name, (now - last) / 1e9, Double::sum);
        last = now;
    }

    /** The phases' seconds, in order; unmodifiable. */
    Map<String, Double> seconds() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
    }

    @Override
    public String toString() {
        double total = seconds.values().stream().mapToDouble(Double::doubleValue).sum();
        return String.format(Locale.ROOT, "%.1f s (", total)
                + seconds.entrySet().stream()
                        .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", "))
                + ")";
    }
}
