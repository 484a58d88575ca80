package dev.awp.djl.internal;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, once per process and device, that the engine's native float32 kernels compute what awp
 * relies on, before the first attack or training step trusts them.
 *
 * <p>Why: PyTorch 2.7.1's oneDNN computes wrong float32 convolution input gradients (sometimes NaN)
 * with its AVX2 and AVX-512 kernels on AMD Zen 5 CPUs unless the process starts with the
 * environment variable {@code ONEDNN_MAX_CPU_ISA=AVX}; every attack and training step is then
 * silently wrong. oneDNN has had such silent-correctness bugs before, so the check tests the
 * kernels rather than the CPU model.
 *
 * <p>What: a convolution shaped like the case measured wrong on Zen 5 (3 → 4 channels, 3×3, 16×16,
 * batch 16), a convolution with blocked channel counts (16 → 16, 3×3, 8×8, batch 4) and a linear
 * layer (64 → 10, batch 16), each with a bias, run in float32 through DJL's {@code Conv2d.conv2d}
 * and {@code Linear.linear} on the device the work runs on, with the loss {@code L = Σ y ⊙ g} for a
 * fixed upstream gradient {@code g}. The output {@code y} and the gradients {@code ∂L/∂x}, {@code
 * ∂L/∂w} and {@code ∂L/∂b} are compared with the same quantities computed in float64 on the host
 * (plain Java loops, independent of the engine; the device need not support float64). A quantity
 * fails when {@code max |float32 − reference| / max |reference|} exceeds {@value #TOLERANCE} (or is
 * NaN): loose enough for TF32 convolutions on GPUs, far below what broken kernels produce. The
 * inputs come from a fixed {@link SplittableRandom}, so the engine's random stream is untouched.
 *
 * <p>Cost, measured on a 2-core Xeon VM with PyTorch 2.7.1 on the CPU, for the first check in a JVM
 * whose engine is already loaded: 43–113 ms while the machine was otherwise lightly loaded (about
 * half of it oneDNN creating its kernels and the JIT compiling the reference loops; 15–60 ms when
 * run again in the same JVM), 75–350 ms while other processes competed for the cores. Later calls
 * read the cached outcome in 0.01–0.04 ms.
 *
 * <p>The outcome is cached per engine and device, for the life of the process; the check runs under
 * a lock, so concurrent first calls run it once. A failed outcome fails every later call with the
 * same message. A check that cannot run (for example because a {@code GradientCollector} is already
 * open) is not cached. Start the JVM with {@code -Dawp.nativeSelfCheck=false} to skip it.
 *
 * <p>Internal to awp; not part of the API. Called where the work starts: {@code
 * AttackTarget.of(..)}, which every attack, training step and evaluation goes through, and {@code
 * AwpOptimizer.perturb}.
 */
public final class NativeSelfCheck {

    /** The system property that turns the check off when set to {@code false}. */
    public static final String PROPERTY = "awp.nativeSelfCheck";

    /** The largest accepted {@code max |float32 − reference| / max |reference|}. */
    static final double TOLERANCE = 1e-2;

    private static final Logger LOG = LoggerFactory.getLogger(NativeSelfCheck.class);

    private static final NativeSelfCheck PROCESS = new NativeSelfCheck(Tamper.NONE);

    private final Tamper tamper;
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final AtomicInteger runs = new AtomicInteger();

    /**
     * A check whose computed quantities pass through {@code tamper} before they are compared; tests
     * inject wrong kernels with it.
     */
    NativeSelfCheck(Tamper tamper) {
        this.tamper = requireNonNull(tamper, "tamper");
    }

    /**
     * Checks the kernels on every device of a trainer, once per process and device.
     *
     * @param trainer the trainer whose devices the work runs on; borrowed, never closed
     * @throws IllegalStateException if the engine's kernels compute wrong results on one of the
     *     devices (the message names the quantity, the error and the remedy), or if the check
     *     cannot run because a {@code GradientCollector} is open
     */
    public static void verify(Trainer trainer) {
        requireNonNull(trainer, "trainer");
        for (Device device : trainer.getDevices()) {
            PROCESS.check(trainer.getManager(), device);
        }
    }

    /**
     * Checks the kernels on the device of an array, with its engine, once per process and device.
     *
     * @param array an array of the model or data the work runs on (for example a weight)
     * @throws IllegalStateException if the engine's kernels compute wrong results on the array's
     *     device (the message names the quantity, the error and the remedy), or if the check cannot
     *     run because a {@code GradientCollector} is open
     */
    public static void verify(NDArray array) {
        requireNonNull(array, "array");
        PROCESS.check(array.getManager(), array.getDevice());
    }

    /**
     * Checks the kernels on {@code device} with {@code parent}'s engine, unless turned off; runs
     * once per engine and device, then rethrows a cached failure.
     */
    void check(NDManager parent, Device device) {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return;
        }
        Engine engine = parent.getEngine();
        String key = engine.getEngineName() + ' ' + device;
        String failure = failures.get(key);
        if (failure == null) {
            synchronized (lock) {
                failure = failures.get(key);
                if (failure == null) {
                    failure = run(parent, device, engine);
                    failures.put(key, failure);
                }
            }
        }
        if (!failure.isEmpty()) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * How many times the check ran (not counting cached outcomes).
     *
     * @return the count
     */
    int runs() {
        return runs.get();
    }

    /** Runs the check; returns "" if it passed, the failure message otherwise. */
    private String run(NDManager parent, Device device, Engine engine) {
        runs.incrementAndGet();
        long start = System.nanoTime();
        List<String> wrong = new ArrayList<>();
        try (NDManager scope = parent.newSubManager(device)) {
            SplittableRandom random = new SplittableRandom(2025);
            wrong.addAll(convolution(scope, random, "convolution 3->4 channels", 16, 3, 4, 16));
            wrong.addAll(convolution(scope, random, "convolution 16->16 channels", 4, 16, 16, 8));
            wrong.addAll(linear(scope, random, "linear 64->10", 16, 64, 10));
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "awp's native self-check could not run on "
                            + device
                            + " ("
                            + e.getMessage()
                            + "); run attacks and training steps outside any open"
                            + " GradientCollector, or start the JVM with -D"
                            + PROPERTY
                            + "=false to skip the check",
                    e);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (wrong.isEmpty()) {
            LOG.debug("native self-check passed on {} in {} ms", device, millis);
            return "";
        }
        return String.format(
                Locale.ROOT,
                "awp's native self-check failed: the %s %s engine computes wrong float32 results on"
                        + " %s, so every attack and training step would be silently wrong. Against"
                        + " a float64 reference (max |float32 - reference| / max |reference|,"
                        + " tolerance %.0e): %s. PyTorch 2.7.1's oneDNN does this on AMD Zen 5"
                        + " CPUs: start the JVM with the environment variable"
                        + " ONEDNN_MAX_CPU_ISA=AVX (export it before java starts; setting it from"
                        + " inside the JVM is too late). To skip this check at your own risk, start"
                        + " the JVM with -D%s=false.",
                engine.getEngineName(),
                engine.getVersion(),
                device,
                TOLERANCE,
                String.join("; ", wrong),
                PROPERTY);
    }

    /**
     * A 3×3 convolution with padding 1 and stride 1 of {@code (batch, in, size, size)} inputs into
     * {@code out} channels, with a bias.
     */
    private List<String> convolution(
            NDManager scope,
            SplittableRandom random,
            String name,
            int batch,
            int in,
            int out,
            int size) {
        int k = 3;
        double[] x = uniform(random, batch * in * size * size);
        double[] w = uniform(random, out * in * k * k);
        double[] b = uniform(random, out);
        double[] g = uniform(random, batch * out * size * size);
        // the float64 reference: forward and both backward products in one loop nest
        double[] y = new double[g.length];
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        double[] db = new double[out];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < size; i++) {
                    for (int j = 0; j < size; j++) {
                        int yi = ((n * out + o) * size + i) * size + j;
                        double gy = g[yi];
                        double sum = b[o];
                        db[o] += gy;
                        for (int c = 0; c < in; c++) {
                            for (int u = 0; u < k; u++) {
                                int h = i + u - 1;
                                if (h < 0 || h >= size) {
                                    continue;
                                }
                                for (int v = 0; v < k; v++) {
                                    int col = j + v - 1;
                                    if (col < 0 || col >= size) {
                                        continue;
                                    }
                                    int xi = ((n * in + c) * size + h) * size + col;
                                    int wi = ((o * in + c) * k + u) * k + v;
                                    sum += x[xi] * w[wi];
                                    dx[xi] += gy * w[wi];
                                    dw[wi] += gy * x[xi];
                                }
                            }
                        }
                        y[yi] = sum;
                    }
                }
            }
        }
        Shape unit = new Shape(1, 1);
        return compute(
                scope,
                name,
                new double[][] {x, w, b, g},
                new Shape[] {
                    new Shape(batch, in, size, size),
                    new Shape(out, in, k, k),
                    new Shape(out),
                    new Shape(batch, out, size, size)
                },
                (xa, wa, ba) -> Conv2d.conv2d(xa, wa, ba, unit, unit, unit, 1).head(),
                new double[][] {y, dx, dw, db});
    }

    /** {@code y = x wᵀ + b} for {@code (batch, in)} inputs and {@code (out, in)} weights. */
    private List<String> linear(
            NDManager scope, SplittableRandom random, String name, int batch, int in, int out) {
        double[] x = uniform(random, batch * in);
        double[] w = uniform(random, out * in);
        double[] b = uniform(random, out);
        double[] g = uniform(random, batch * out);
        double[] y = new double[g.length];
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        double[] db = new double[out];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out; o++) {
                double gy = g[n * out + o];
                double sum = b[o];
                db[o] += gy;
                for (int c = 0; c < in; c++) {
                    sum += x[n * in + c] * w[o * in + c];
                    dx[n * in + c] += gy * w[o * in + c];
                    dw[o * in + c] += gy * x[n * in + c];
                }
                y[n * out + o] = sum;
            }
        }
        return compute(
                scope,
                name,
                new double[][] {x, w, b, g},
                new Shape[] {
                    new Shape(batch, in), new Shape(out, in), new Shape(out), new Shape(batch, out)
                },
                (xa, wa, ba) -> Linear.linear(xa, wa, ba).head(),
                new double[][] {y, dx, dw, db});
    }

    /**
     * Runs {@code layer} in float32 on the scope's device, backward from {@code L = Σ y ⊙ g}, and
     * compares output and gradients with the references; returns the failures.
     */
    private List<String> compute(
            NDManager scope,
            String name,
            double[][] data,
            Shape[] shapes,
            Layer layer,
            double[][] references) {
        try (NDManager local = scope.newSubManager()) {
            NDArray x = local.create(toFloats(data[0]), shapes[0]);
            NDArray w = local.create(toFloats(data[1]), shapes[1]);
            NDArray b = local.create(toFloats(data[2]), shapes[2]);
            NDArray g = local.create(toFloats(data[3]), shapes[3]);
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector collector = local.getEngine().newGradientCollector()) {
                y = layer.apply(x, w, b);
                collector.backward(y.mul(g).sum());
            }
            String[] quantities = {"output", "input gradient", "weight gradient", "bias gradient"};
            NDArray[] computed = {y, x.getGradient(), w.getGradient(), b.getGradient()};
            List<String> wrong = new ArrayList<>();
            for (int q = 0; q < quantities.length; q++) {
                String quantity = name + " " + quantities[q];
                NDArray value = tamper.apply(quantity, computed[q]);
                double error = relativeError(value.toFloatArray(), references[q]);
                if (!(error <= TOLERANCE)) {
                    wrong.add(String.format(Locale.ROOT, "%s max error %.3g", quantity, error));
                }
            }
            return wrong;
        }
    }

    /** {@code max |got − ref| / max |ref|}; NaN if any value is NaN. */
    static double relativeError(float[] got, double[] reference) {
        if (got.length != reference.length) {
            return Double.NaN;
        }
        double error = 0;
        double scale = Double.MIN_NORMAL;
        for (int i = 0; i < got.length; i++) {
            double difference = Math.abs(got[i] - reference[i]);
            if (Double.isNaN(difference)) {
                return Double.NaN;
            }
            error = Math.max(error, difference);
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        return error / scale;
    }

    /** Uniform in [-1, 1), rounded to float32 so that the reference sees the device's inputs. */
    private static double[] uniform(SplittableRandom random, int size) {
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    /** A layer under test: its output for input, weight and bias. */
    @FunctionalInterface
    private interface Layer {
        NDArray apply(NDArray x, NDArray w, NDArray b);
    }

    /** Replaces a computed quantity before it is compared; tests inject wrong kernels with it. */
    @FunctionalInterface
    interface Tamper {
        /** Leaves every quantity as computed. */
        Tamper NONE = (quantity, value) -> value;

        /**
         * The quantity to compare.
         *
         * @param quantity what it is, such as {@code "convolution 3->4 channels input gradient"}
         * @param value the computed value, on the device
         * @return the value to compare with the reference
         */
        NDArray apply(String quantity, NDArray value);
    }
}
