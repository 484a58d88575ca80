package dev.awp.djl.training;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a run carries from one epoch to the next, and what a checkpoint and a rollback save: the
 * next epoch, the metrics of every epoch so far, the best epoch, the elapsed time and the
 * divergence policy's learning-rate factor and retry count. Immutable; each epoch, rollback and
 * retry makes a new one. A new piece of run state (an early-stopping counter, EMA weights' epoch)
 * is a new component here, in {@link #toJson} and {@link #fromJson}, and nowhere else.
 *
 * @param nextEpoch the 0-based epoch the run continues with
 * @param history the metrics of epochs {@code 0 .. nextEpoch - 1}
 * @param best the epoch with the highest robust validation accuracy so far, if any was evaluated
 * @param elapsedSeconds the training time so far, over every process of the run
 * @param learningRateFactor the divergence policy's factor on the schedule's learning rate
 * @param retries how many times the divergence policy retried
 */
record RunState(
        int nextEpoch,
        List<EpochMetrics> history,
        Optional<Best> best,
        double elapsedSeconds,
        double learningRateFactor,
        int retries) {

    /**
     * The best epoch so far.
     *
     * @param epoch the 0-based epoch
     * @param robustAccuracy its robust validation accuracy
     */
    record Best(int epoch, Accuracy robustAccuracy) {}

    RunState {
        history = List.copyOf(history);
    }

    /** The state of a run that has not trained yet. */
    static RunState initial() {
        return new RunState(0, List.of(), Optional.empty(), 0, 1, 0);
    }

    /**
     * The state after an epoch: its metrics appended, the best replaced if its robust accuracy is
     * strictly higher.
     */
    RunState afterEpoch(EpochMetrics metrics, double elapsedSeconds) {
        List<EpochMetrics> longer = new ArrayList<>(history);
        longer.add(metrics);
        Optional<Best> better =
                metrics.robustAccuracy()
                        .filter(
                                robust ->
                                        best.isEmpty()
                                                || robust.value()
                                                        > best.get().robustAccuracy().value())
                        .map(robust -> new Best(metrics.epoch(), robust));
        return new RunState(
                metrics.epoch() + 1,
                longer,
                better.or(() -> best),
                elapsedSeconds,
                learningRateFactor,
                retries);
    }

    /** Whether {@code epoch} is the best epoch of this state. */
    boolean isBest(int epoch) {
        return best.isPresent() && best.get().epoch() == epoch;
    }

    /**
     * Back to a good state's position, history and best; the elapsed time, learning-rate factor and
     * retries of this state survive the rollback.
     */
    RunState rolledBackTo(RunState good) {
        return new RunState(
                good.nextEpoch,
                good.history,
                good.best,
                elapsedSeconds,
                learningRateFactor,
                retries);
    }

    /** One more retry, with the learning-rate factor multiplied by {@code factor}. */
    RunState retried(double factor) {
        return new RunState(
                nextEpoch, history, best, elapsedSeconds, learningRateFactor * factor, retries + 1);
    }

    /** This state with the time measured now. */
    RunState at(double elapsedSeconds) {
        return new RunState(nextEpoch, history, best, elapsedSeconds, learningRateFactor, retries);
    }

    /** The best epoch, as the report and the events give it. */
    Optional<Integer> bestEpoch() {
        return best.map(Best::epoch);
    }

    /** The best robust accuracy, as the report and the events give it. */
    Optional<Accuracy> bestRobustAccuracy() {
        return best.map(Best::robustAccuracy);
    }

    /**
     * Writes this state into {@code json} in the member order of {@code state.json} format 2:
     * {@code nextEpoch}, then whatever {@code identity} adds (the run's seed, epochs, batch size
     * and optimizer sit there in format 2), then the best epoch, its accuracy, the time, the
     * history, the factor and the retries.
     */
    void toJson(JsonObject json, Consumer<JsonObject> identity) {
        json.addProperty("nextEpoch", nextEpoch);
        identity.accept(json);
        best.ifPresent(b -> json.addProperty("bestEpoch", b.epoch()));
        best.ifPresent(
                b -> json.add("bestRobustAccuracy", MetricsJson.accuracy(b.robustAccuracy())));
        json.addProperty("elapsedSeconds", elapsedSeconds);
        JsonArray metrics = new JsonArray();
        history.forEach(m -> metrics.add(MetricsJson.toJson(m)));
        json.add("history", metrics);
        json.addProperty("learningRateFactor", learningRateFactor);
        json.addProperty("retries", retries);
    }

    /** Reads the members {@link #toJson} writes; other members are ignored. */
    static RunState fromJson(JsonObject json) {
        List<EpochMetrics> history = new ArrayList<>();
        for (JsonElement element : json.getAsJsonArray("history")) {
            history.add(MetricsJson.fromJson(element.getAsJsonObject()));
        }
        Optional<Best> best =
                json.has("bestEpoch")
                        ? Optional.of(
                                new Best(
                                        json.get("bestEpoch").getAsInt(),
                                        MetricsJson.accuracy(json.get("bestRobustAccuracy"))))
                        : Optional.empty();
        return new RunState(
                json.get("nextEpoch").getAsInt(),
                history,
                best,
                json.get("elapsedSeconds").getAsDouble(),
                json.get("learningRateFactor").getAsDouble(),
                json.get("retries").getAsInt());
    }

    /** The report of a run that ended in this state. */
    TrainingReport report(
            AdversarialTraining spec, Map<String, String> environment, String augmentation) {
        return TrainingReport.builder()
                .training(spec)
                .epochs(history)
                .bestEpoch(bestEpoch())
                .bestRobustAccuracy(bestRobustAccuracy())
                .totalSeconds(elapsedSeconds)
                .environment(environment)
                .augmentation(augmentation)
                .build();
    }
}
