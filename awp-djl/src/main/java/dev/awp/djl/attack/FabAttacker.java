package dev.awp.djl.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.FabAttack;
import dev.awp.attack.Norm;
import dev.awp.djl.internal.Logits;
import dev.awp.djl.internal.SplitMix64;

/**
 * Executes a {@link FabAttack} (Croce and Hein, ICML 2020), L∞ and L2, as AutoAttack runs it:
 * examples misclassified at the clean input are returned unchanged; for FAB-T, each target class
 * (the {@code k}-th largest clean logit, {@code k = 2, 3, …}) and each restart in turn runs on the
 * examples not yet broken; an example is broken when a misclassified iterate lies within ε, and the
 * closest such iterate is returned for it; the others are returned clean.
 *
 * <p>Per iteration: one forward and backward pass for the linearization (for untargeted FAB, one
 * forward and one backward per class, as the reference does; see {@link InputGradients#perClass})
 * and one forward pass to check the new iterate; the projections ({@link FabProjection}) run on the
 * host in double precision. The first run starts at the clean input (deterministic), later restarts
 * at {@code x_orig + ε/2 · t/‖t‖}, {@code t} uniform in [−1, 1] (L∞) or normal (L2), clipped, drawn
 * from a host stream seeded by the engine's generator.
 */
final class FabAttacker extends SpecifiedAttack<FabAttack> {

    private static final double NORM_FLOOR = 1e-12;
    private static final double STEP_FLOOR = 1e-8;

    FabAttacker(FabAttack spec) {
        super(spec);
    }

    @Override
    protected NDArray craft(AttackBatch batch) {
        NDArray x = batch.x();
        NDManager scope = batch.scope();
        long[] labels = batch.labels().toType(DataType.INT64, false).toLongArray();
        NDArray cleanLogits = batch.cleanLogits();
        int classes = Math.toIntExact(cleanLogits.getShape().get(1));
        int targets = spec.effectiveTargetClasses(classes);
        float[] logits = cleanLogits.toType(DataType.FLOAT32, false).toFloatArray();
        Runs runs =
                new Runs(
                        batch.target(),
                        x,
                        labels,
                        x.toType(DataType.FLOAT32, false).toFloatArray(),
                        logits,
                        classes,
                        batch);
        // FAB-T: each target class in turn, each with its restarts; the first run of a target
        // starts at the clean input
        int passes = spec.targeted() ? targets : 1;
        runs.survivors.restart(
                passes * spec.restarts(),
                (r, rows) -> {
                    int k = r / spec.restarts();
                    runs.run(scope, rows, spec.targeted() ? k + 2 : 0, r % spec.restarts() > 0);
                });
        return scope.create(runs.result, x.getShape())
                .toType(x.getDataType(), false)
                .toDevice(x.getDevice(), false);
    }

    /** The runs over one batch; the iterates live on the host. */
    private final class Runs {
        private final AttackTarget target;
        private final NDArray x;
        private final long[] labels;
        private final float[] clean;
        private final float[] cleanLogits;
        private final int classes;
        private final AttackBatch draws;
        private final int batch;
        private final int features;
        private final Shape exampleShape;
        private final boolean linf;
        private final double eps;
        private final HostDomain domain;
        private final BatchNormMode mode;

        final float[] result;
        final Survivors survivors;

        Runs(
                AttackTarget target,
                NDArray x,
                long[] labels,
                float[] clean,
                float[] cleanLogits,
                int classes,
                AttackBatch draws) {
            this.target = target;
            this.x = x;
            this.labels = labels;
            this.clean = clean;
            this.cleanLogits = cleanLogits;
            this.classes = classes;
            this.draws = draws;
            this.batch = labels.length;
            this.features = clean.length / batch;
            this.exampleShape = x.getShape().slice(1);
            this.linf = spec.threatModel().norm() == Norm.LINF;
            this.eps = spec.threatModel().epsilon();
            this.domain = new HostDomain(spec.threatModel().domain());
            this.mode = spec.batchNormMode();
            this.result = clean.clone();
            boolean[] misclassified = new boolean[batch];
            for (int b = 0; b < batch; b++) {
                // misclassified at the clean input: not attacked, returned unchanged
                misclassified[b] = argMax(cleanLogits, b) != labels[b];
            }
            this.survivors = new Survivors(misclassified);
        }

        /**
         * One run on {@code examples}: towards the class of clean rank {@code rank} (0 when
         * untargeted), from the clean input or a random start.
         */
        void run(NDManager scope, int[] examples, int rank, boolean randomStart) {
            int m = examples.length;
            int n = m * features;
            float[] orig = Survivors.gather(clean, examples, features);
            long[] y = new long[m];
            long[] t = new long[m];
            for (int j = 0; j < m; j++) {
                y[j] = labels[examples[j]];
                if (rank > 0) {
                    t[j] = classOfRank(examples[j], rank);
                }
            }
            float[] current = randomStart ? randomStart(orig, examples) : orig.clone();
            float[] best = new float[n];
            double[] bestNorm = new double[m];
            java.util.Arrays.fill(bestNorm, Double.POSITIVE_INFINITY);
            double[] step = new double[n];
            double[] stepOrig = new double[n];
            double[] lo = new double[n];
            double[] hi = new double[n];
            double[] loOrig = new double[n];
            double[] hiOrig = new double[n];
            for (int i = 0; i < n; i++) {
                int f = i % features;
                loOrig[i] = domain.lower(f) - orig[i];
                hiOrig[i] = domain.upper(f) - orig[i];
            }
            for (int iteration = 0; iteration < spec.steps(); iteration++) {
                Plane plane =
                        rank > 0 ? targeted(scope, current, y, t) : closest(scope, current, y);
                draws.countQueries(examples);
                for (int i = 0; i < n; i++) {
                    int f = i % features;
                    lo[i] = domain.lower(f) - current[i];
                    hi[i] = domain.upper(f) - current[i];
                }
                float[] next = new float[n];
                for (int j = 0; j < m; j++) {
                    int at = j * features;
                    double towards = 0;
                    for (int f = 0; f < features; f++) {
                        towards += plane.w[at + f] * ((double) current[at + f] - orig[at + f]);
                    }
                    // the hyperplane g + ⟨w, z − x_i⟩ = 0, seen from x_i and from x_orig
                    double r = -plane.g[j];
                    FabProjection.project(plane.w, at, features, r, lo, hi, linf, step);
                    FabProjection.project(
                            plane.w, at, features, r + towards, loOrig, hiOrig, linf, stepOrig);
                    double a1 = Math.max(norm(step, at), STEP_FLOOR);
                    double a2 = Math.max(norm(stepOrig, at), STEP_FLOOR);
                    double alpha = Math.min(Math.max(a1 / (a1 + a2), 0), spec.alphaMax());
                    for (int f = 0; f < features; f++) {
                        int i = at + f;
                        double moved =
                                (current[i] + spec.eta() * step[i]) * (1 - alpha)
                                        + (orig[i] + spec.eta() * stepOrig[i]) * alpha;
                        next[i] = domain.clip(moved, f);
                    }
                }
                long[] predicted = predict(scope, next, m);
                draws.countQueries(examples);
                for (int j = 0; j < m; j++) {
                    if (predicted[j] == y[j]) {
                        continue;
                    }
                    int at = j * features;
                    double distance = distance(next, orig, at);
                    if (distance < bestNorm[j]) {
                        bestNorm[j] = distance;
                        System.arraycopy(next, at, best, at, features);
                    }
                    for (int f = 0; f < features; f++) {
                        int i = at + f;
                        next[i] = (float) (orig[i] + spec.beta() * ((double) next[i] - orig[i]));
                    }
                }
                current = next;
            }
            for (int j = 0; j < m; j++) {
                if (bestNorm[j] <= eps) {
                    survivors.markBroken(examples[j]);
                    Survivors.put(best, j, result, examples[j], features);
                }
            }
        }

        /** The gradient of {@code f_t − f_y} and its value: the boundary towards the target. */
        private Plane targeted(NDManager scope, float[] points, long[] y, long[] t) {
            int m = y.length;
            try (NDManager local = scope.newSubManager()) {
                NDArray input = input(local, points, m);
                NDArray labelArray = local.create(y);
                NDArray targetArray = local.create(t);
                float[][] values = new float[1][];
                NDArray gradient =
                        InputGradients.of(
                                target,
                                input,
                                mode,
                                logits -> {
                                    NDArray difference =
                                            Logits.pick(logits, targetArray)
                                                    .sub(Logits.pick(logits, labelArray));
                                    values[0] =
                                            difference
                                                    .stopGradient()
                                                    .toType(DataType.FLOAT32, false)
                                                    .toFloatArray();
                                    return difference.sum();
                                });
                float[] w = gradient.toType(DataType.FLOAT32, false).toFloatArray();
                double[] g = new double[m];
                for (int j = 0; j < m; j++) {
                    g[j] = values[0][j];
                }
                return new Plane(w, g);
            }
        }

        /**
         * Every class's gradient ({@link InputGradients#perClass}); the boundary of the class
         * {@code s ≠ y} with the smallest {@code |g_s| / ‖∇g_s‖_q}.
         */
        private Plane closest(NDManager scope, float[] points, long[] y) {
            int m = y.length;
            try (NDManager local = scope.newSubManager()) {
                InputGradients.PerClass jacobian =
                        InputGradients.perClass(target, input(local, points, m), mode, classes);
                float[] grads = jacobian.gradients();
                float[][] logits = {jacobian.logits()};
                float[] w = new float[m * features];
                double[] g = new double[m];
                int rowLength = m * features;
                for (int j = 0; j < m; j++) {
                    int label = (int) y[j];
                    int labelAt = label * rowLength + j * features;
                    double bestDistance = Double.POSITIVE_INFINITY;
                    int chosen = -1;
                    for (int s = 0; s < classes; s++) {
                        if (s == label) {
                            continue;
                        }
                        int at = s * rowLength + j * features;
                        double dualNorm = 0;
                        for (int f = 0; f < features; f++) {
                            double d = (double) grads[at + f] - grads[labelAt + f];
                            dualNorm += linf ? Math.abs(d) : d * d;
                        }
                        dualNorm = linf ? dualNorm : Math.sqrt(dualNorm);
                        double gap = logits[0][j * classes + s] - logits[0][j * classes + label];
                        double distance = Math.abs(gap) / (dualNorm + NORM_FLOOR);
                        if (distance < bestDistance || chosen < 0) {
                            bestDistance = distance;
                            chosen = s;
                        }
                    }
                    int at = chosen * rowLength + j * features;
                    for (int f = 0; f < features; f++) {
                        w[j * features + f] = grads[at + f] - grads[labelAt + f];
                    }
                    g[j] = logits[0][j * classes + chosen] - logits[0][j * classes + label];
                }
                return new Plane(w, g);
            }
        }

        private long[] predict(NDManager scope, float[] points, int m) {
            try (NDManager local = scope.newSubManager()) {
                return target.logits(input(local, points, m), mode).argMax(1).toLongArray();
            }
        }

        private NDArray input(NDManager manager, float[] points, int m) {
            return manager.create(points, new Shape(m).addAll(exampleShape))
                    .toType(x.getDataType(), false)
                    .toDevice(x.getDevice(), false);
        }

        /** A start in the ε/2-ball around each example, from the example's random stream. */
        private float[] randomStart(float[] orig, int[] examples) {
            float[] start = new float[orig.length];
            for (int j = 0; j < examples.length; j++) {
                SplitMix64 random = draws.stream(examples[j]);
                int at = j * features;
                double[] t = new double[features];
                double size = 0;
                for (int f = 0; f < features; f++) {
                    t[f] = linf ? 2 * random.nextDouble() - 1 : random.nextGaussian();
                    size = linf ? Math.max(size, Math.abs(t[f])) : size + t[f] * t[f];
                }
                size = linf ? size : Math.sqrt(size);
                double radius = eps / 2;
                for (int f = 0; f < features; f++) {
                    double v = orig[at + f] + radius * t[f] / (size + NORM_FLOOR);
                    start[at + f] = domain.clip(v, f);
                }
            }
            return start;
        }

        private long classOfRank(int example, int rank) {
            // the rank-th largest clean logit; ties go to the higher class index, as a stable
            // ascending sort read from its end
            Integer[] order = new Integer[classes];
            for (int k = 0; k < classes; k++) {
                order[k] = k;
            }
            java.util.Arrays.sort(
                    order,
                    (a, b) ->
                            Float.compare(
                                    cleanLogits[example * classes + a],
                                    cleanLogits[example * classes + b]));
            return order[classes - rank];
        }

        private double norm(double[] values, int at) {
            double size = 0;
            for (int f = 0; f < features; f++) {
                double v = values[at + f];
                size = linf ? Math.max(size, Math.abs(v)) : size + v * v;
            }
            return linf ? size : Math.sqrt(size);
        }

        private double distance(float[] a, float[] b, int at) {
            double size = 0;
            for (int f = 0; f < features; f++) {
                double v = (double) a[at + f] - b[at + f];
                size = linf ? Math.max(size, Math.abs(v)) : size + v * v;
            }
            return linf ? size : Math.sqrt(size);
        }

        private int argMax(float[] values, int row) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (values[row * classes + k] > values[row * classes + best]) {
                    best = k;
                }
            }
            return best;
        }
    }

    /** A linearized boundary per example: normals {@code w} and values {@code g}. */
    private static final class Plane {
        final float[] w;
        final double[] g;

        Plane(float[] w, double[] g) {
            this.w = w;
            this.g = g;
        }
    }
}
