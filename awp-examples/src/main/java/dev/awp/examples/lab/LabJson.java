package dev.awp.examples.lab;

import com.google.gson.GsonBuilder;
import dev.awp.report.EpochMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The lab's {@code lab.json}: the settings and every run with its history. */
final class LabJson {

    private LabJson() {}

    /** The settings (what the report's header says) and every run with its history. */
    static String json(
            List<Run> runs, LabSettings s, String dataName, String command, double minutes) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("arguments", command);
        settings.put("data", dataName);
        settings.put("trainImages", s.trainSize());
        settings.put("testImages", s.testSize());
        settings.put("trainEvalImages", s.trainEvalSize());
        settings.put("augmentation", s.augmentation().describe());
        settings.put("model", s.model());
        settings.put("width", s.width());
        settings.put("epochs", s.epochs());
        settings.put("batchSize", s.batchSize());
        settings.put("optimizer", LabMethods.optimizer(s));
        settings.put("decayAt", List.of(s.decayAt(), (1 + s.decayAt()) / 2));
        settings.put("evalEvery", s.evalEvery());
        settings.put("epsilon", s.epsilon());
        settings.put("gamma", s.gamma());
        settings.put("gammas", s.gammas());
        settings.put("warmupEpochs", s.warmup());
        settings.put("attackBatchNorm", s.attackBn().name().toLowerCase(Locale.ROOT));
        settings.put("seeds", s.seeds());
        settings.put("parts", s.parts().stream().sorted().toList());
        settings.put("minutes", minutes);
        List<Map<String, Object>> json = new ArrayList<>();
        for (Run run : runs) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("method", run.method().name());
            entry.put("label", run.method().label());
            entry.put("gamma", run.method().gamma());
            entry.put("direction", run.method().direction().name());
            entry.put("seed", run.seed());
            entry.put("bestTestRobust", run.bestRobust());
            entry.put("bestEpoch", run.bestEpoch());
            entry.put("lastTestRobust", run.lastRobust().value());
            entry.put("lastTestClean", run.lastClean());
            entry.put("lastTrainRobust", run.lastTrainRobust());
            entry.put("lastGap", run.lastGap());
            if (run.landscape() != null) {
                entry.put("landscapeAlphas", run.landscape().alphas());
                entry.put("landscapeAdversarialLoss", run.landscape().adversarialLoss());
                entry.put("landscapeCleanLoss", run.landscape().cleanLoss());
                entry.put("sharpness", run.landscape().sharpness());
                entry.put("randomIncrease", run.comparison().randomIncrease());
                entry.put("adversarialIncrease", run.comparison().adversarialIncrease());
            }
            entry.put("seconds", run.seconds());
            List<Map<String, Object>> history = new ArrayList<>();
            for (EpochMetrics m : run.epochs()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("epoch", m.epoch());
                e.put("learningRate", m.learningRate());
                e.put("trainLoss", m.trainLoss());
                m.robustAccuracy().ifPresent(a -> e.put("testRobust", a.value()));
                m.cleanAccuracy().ifPresent(a -> e.put("testClean", a.value()));
                m.trainRobustAccuracy().ifPresent(a -> e.put("trainRobust", a.value()));
                history.add(e);
            }
            entry.put("epochs", history);
            json.add(entry);
        }
        Map<String, Object> lab = new LinkedHashMap<>();
        lab.put("settings", settings);
        lab.put("runs", json);
        return new GsonBuilder()
                .setPrettyPrinting()
                .disableHtmlEscaping()
                .serializeSpecialFloatingPointValues()
                .create()
                .toJson(lab);
    }
}
