package dev.awp.spark;

import ai.djl.Model;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of this JVM (an executor, or the driver): each {@link ModelSource} is loaded once,
 * kept for every later task, and closed when the JVM shuts down. A source whose files changed has
 * another key and is loaded again.
 */
final class ExecutorModels {

    private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> MODELS.values().forEach(Model::close),
                                "awp-spark-close-models"));
    }

    private ExecutorModels() {}

    /** The loaded model of {@code source}. */
    static Model get(ModelSource source) {
        return MODELS.computeIfAbsent(source.cacheKey(), key -> source.load());
    }

    /** How many models this JVM holds (for tests). */
    static int loaded() {
        return MODELS.size();
    }
}
