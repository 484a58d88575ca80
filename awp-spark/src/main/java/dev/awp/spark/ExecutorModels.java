package dev.awp.spark;

import ai.djl.Model;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of this JVM (an executor, or the driver): each {@link ModelSource} is loaded once,
 * kept for every later task, and closed when the JVM shuts down. A source whose files changed has
 * another key and is loaded again.
 */
final class ExecutorModels {

    private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();

    private static final AtomicInteger LOADS = new AtomicInteger();

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
        return MODELS.computeIfAbsent(
                source.cacheKey(),
                key -> {
                    LOADS.incrementAndGet();
                    return source.load();
                });
    }

    /** How many times this JVM loaded a model (for tests). */
    static int loads() {
        return LOADS.get();
    }
}
