package dev.awp.examples;

import ai.djl.engine.Engine;

/**
 * Sets the number of PyTorch intra-op threads of the examples. The count changes the order of
 * floating-point sums inside convolutions, so a table is reproducible digit for digit only with a
 * fixed count. One thread also avoids OpenMP's spin-waiting, which costs many times the work when
 * other processes share the cores (measured on this project's 2-core CI machine while other builds
 * ran: the same quick-start setting took 1,240 s with two threads and 161 s with one).
 */
public final class PyTorchThreads {

    private static final String PROPERTY = "ai.djl.pytorch.num_threads";
    private static final String JNI = "ai.djl.pytorch.jni.JniUtils";

    private PyTorchThreads() {}

    /**
     * Asks for {@code threads} intra-op threads: through the system property DJL reads when the
     * engine loads, and through the engine itself if it is already loaded.
     *
     * @param threads the number of intra-op threads
     * @return the count the engine reports, or {@code threads} if the engine is not PyTorch
     */
    public static int use(int threads) {
        System.setProperty(PROPERTY, Integer.toString(threads));
        Engine.getInstance();
        try {
            Class<?> jni = Class.forName(JNI);
            if ((Integer) jni.getMethod("getNumThreads").invoke(null) != threads) {
                jni.getMethod("setNumThreads", int.class).invoke(null, threads);
            }
            return (Integer) jni.getMethod("getNumThreads").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return threads;
        }
    }
}
