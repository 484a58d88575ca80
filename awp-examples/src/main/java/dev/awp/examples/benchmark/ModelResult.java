package dev.awp.examples.benchmark;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/** What one model measured; {@link #json} holds everything, the fields what the table uses. */
final class ModelResult {
    String label;
    String pythonModel;
    int width;
    int batch;
    long parameters;
    long parameterBytes;
    long perturbedTensors;
    long perturbedBytes;
    Stats at;
    Stats atAwp;
    Stats pairRatios;
    Map<String, Stats> phasesAt = new LinkedHashMap<>();
    Map<String, Stats> phasesAtAwp = new LinkedHashMap<>();
    Stats fwdBwd;
    Stats attackOurs;
    Stats attackLoopInputOnly;
    Stats attackLoopWeightGrads;
    double limit;
    double bookkeepingMillis;
    double getParametersMillis;
    double toggleMillis;
    double hasGradientMillis;
    long peakAt;
    long peakAtAwp;
    long liveBytesAt;
    long liveBytesAtAwp;
    boolean peakResetWorks;
    JsonObject reference;
    String referenceSkipped;
    JsonObject json = new JsonObject();

    double ratio() {
        return atAwp.median() / at.median();
    }

    long extraPeak() {
        return peakAtAwp - peakAt;
    }

    long extraLive() {
        return liveBytesAtAwp - liveBytesAt;
    }

    /** Whether the parameters are large enough for resident memory to resolve them. */
    boolean rssResolves() {
        return parameterBytes >= AwpBenchmark.RSS_RESOLUTION_BYTES && peakResetWorks;
    }

    /**
     * The extra memory judged against the target: the larger of the extra peak RSS and the extra
     * live-array bytes; the live-array bytes alone when the model is too small for RSS.
     */
    long extraMemory() {
        return rssResolves() ? Math.max(extraPeak(), extraLive()) : extraLive();
    }

    double extraMemoryRatio() {
        return (double) extraMemory() / parameterBytes;
    }
}
