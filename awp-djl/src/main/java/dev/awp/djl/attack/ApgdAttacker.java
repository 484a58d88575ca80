package dev.awp.djl.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.ApgdAttack;
import dev.awp.attack.ApgdLoss;
import dev.awp.attack.Norm;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.internal.DomainBounds;
import dev.awp.djl.internal.Scopes;
import dev.awp.djl.objective.Losses;
import java.util.Arrays;

/**
 * Executes an {@link ApgdAttack}: Auto-PGD as in the AutoAttack reference code ({@code
 * autopgd_base.py}, Croce and Hein, 2020), for L∞ and L2.
 *
 * <p>One run on the examples not yet misclassified:
 *
 * <ol>
 *   <li>start on the surface of the ε-ball: L∞ {@code x + ε·t/‖t‖∞} with {@code t ~ U(−1, 1)}, L2
 *       {@code x + ε·t/‖t‖₂} with {@code t ~ N(0, 1)}, clamped to the input domain (scalar or
 *       per-feature bounds);
 *   <li>per example: step size {@code η = 2ε}; best point and best loss; {@code N} iterations of
 *       {@code z = P(x_k + η·s(∇))}, {@code x_{k+1} = P(x_k + a·(z − x_k) + (1 − a)·(x_k −
 *       x_{k−1}))} with {@code a = 1} on the first iteration and 0.75 afterwards;
 *   <li>checkpoints after {@code max(⌊0.22N⌋, 1)} iterations, then after windows shrinking by
 *       {@code max(⌊0.03N⌋, 1)} down to {@code max(⌊0.06N⌋, 1)} (the reference's discretization of
 *       {@code p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06)}); at a checkpoint an example's η is
 *       halved and its iterate (and gradient) reset to its best point when the loss increased in at
 *       most {@code ρ·window} of the window's steps (the reference's {@code <=}; the paper writes
 *       {@code <}), or when η was not halved at the previous checkpoint and the best loss has not
 *       improved since;
 *   <li>an example is broken as soon as an iterate is misclassified; the last such iterate is
 *       returned for it.
 * </ol>
 *
 * <p>Differences from the reference, all documented choices: the first window counts an increase
 * against the loss at the start point, as the paper does (the reference compares the first
 * iterate's loss against a zero entry of its zero-initialized loss history, so with the
 * cross-entropy that step always counts as an increase, and with the DLR losses, negative while the
 * example is classified correctly, only when the first iterate's loss is already positive);
 * examples never misclassified get their highest-loss point over all runs (the reference returns
 * the clean input), so that the output is useful beyond accuracy; examples misclassified at the
 * clean input are returned unchanged, as in the reference. Random starts draw from the batch's
 * {@link ExampleKeys}: per example in an evaluation, else from the engine's generator (seed it with
 * {@code Engine.getInstance().setRandomSeed} for reproducible results).
 */
final class ApgdAttacker extends SpecifiedAttack<ApgdAttack> {

    private static final double MOMENTUM = 0.75;
    private static final double NORM_FLOOR = 1e-12;

    ApgdAttacker(ApgdAttack spec) {
        super(spec);
    }

    @Override
    protected NDArray craft(AttackBatch batch) {
        NDArray x = batch.x();
        NDManager scope = batch.scope();
        NDArray labels = batch.labels().toType(DataType.INT64, false);
        long[] labelValues = labels.toLongArray();
        NDArray clean = batch.cleanLogits();
        int classes = Math.toIntExact(clean.getShape().get(1));
        // fails with a message naming the class count before any index could go out of range
        int targets = spec.effectiveTargetClasses(classes);
        long[] predicted = clean.argMax(1).toLongArray();
        int size = labelValues.length;
        boolean[] fooledAtStart = new boolean[size];
        for (int i = 0; i < size; i++) {
            fooledAtStart[i] = predicted[i] != labelValues[i];
        }
        Survivors survivors = new Survivors(fooledAtStart);
        double[] bestLoss = new double[size];
        Arrays.fill(bestLoss, Double.NEGATIVE_INFINITY);
        NDArray[] adv = {x.duplicate()};
        int runs = spec.targeted() ? targets * spec.restarts() : spec.restarts();
        survivors.restart(
                runs,
                (r, rows) -> {
                    try (NDManager runScope = scope.newSubManager()) {
                        NDArray index = runScope.create(Survivors.asLongs(rows));
                        NDArray xs = x.get(new NDIndex("{}", index));
                        NDArray ys = labels.get(new NDIndex("{}", index));
                        xs.attach(runScope);
                        ys.attach(runScope);
                        NDArray yt = null;
                        if (spec.targeted()) {
                            // the (rank)-th largest clean logit: ranks 2, 3, ... (AutoAttack)
                            int rank = r / spec.restarts() + 2;
                            NDArray order = clean.get(new NDIndex("{}", index)).argSort(1);
                            order.attach(runScope);
                            yt = order.get(":, {}", classes - rank);
                            yt.attach(runScope);
                        }
                        Projection ball = batch.ballAround(xs, runScope);
                        RunResult result =
                                new Run(batch, rows, xs, ys, yt, ball, runScope).execute();
                        adv[0] = merge(adv[0], result, rows, survivors, bestLoss, runScope);
                        adv[0].attach(scope);
                    }
                });
        return adv[0];
    }

    /**
     * The batch's points after a run on {@code rows}: per example the run's last adversarial point
     * when it broke the example, else its best point when that beats the best loss so far, else the
     * point it had. Closes {@code adv}.
     */
    private static NDArray merge(
            NDArray adv,
            RunResult result,
            int[] rows,
            Survivors survivors,
            double[] bestLoss,
            NDManager runScope) {
        int size = bestLoss.length;
        long[] pick = new long[size];
        for (int i = 0; i < size; i++) {
            pick[i] = i;
        }
        int m = rows.length;
        for (int j = 0; j < m; j++) {
            int i = rows[j];
            if (result.fooled[j]) {
                survivors.markBroken(i);
                pick[i] = size + j;
            } else if (result.bestLoss[j] > bestLoss[i]) {
                bestLoss[i] = result.bestLoss[j];
                pick[i] = size + m + j;
            }
        }
        NDArray all = NDArrays.concat(new NDList(adv, result.lastAdversarial, result.best), 0);
        NDArray merged = all.get(new NDIndex("{}", runScope.create(pick)));
        adv.close();
        return merged;
    }

    /** The outcome of one run, its arrays attached to the run's parent scope. */
    private static final class RunResult {
        final boolean[] fooled;
        final double[] bestLoss;
        final NDArray lastAdversarial;
        final NDArray best;

        RunResult(boolean[] fooled, double[] bestLoss, NDArray lastAdversarial, NDArray best) {
            this.fooled = fooled;
            this.bestLoss = bestLoss;
            this.lastAdversarial = lastAdversarial;
            this.best = best;
        }
    }

    /** Loss values, predictions and the input gradient at one point. */
    private static final class Probe {
        final NDArray gradient;
        final double[] loss;
        final long[] predicted;

        Probe(NDArray gradient, double[] loss, long[] predicted) {
            this.gradient = gradient;
            this.loss = loss;
            this.predicted = predicted;
        }
    }

    /** One run of APGD on a set of examples; per-example state in Java arrays and NDArrays. */
    private final class Run {
        private final AttackBatch batch;
        private final int[] rows;
        private final AttackTarget target;
        private final NDArray x;
        private final NDArray y;
        private final NDArray targets;
        private final NDManager scope;
        private final long[] labels;
        private final int m;
        private final ThreatModel tm;
        private final DomainBounds domain;
        private final boolean linf;
        private final Projection ball;

        // NDArray state: always attached to `scope` between iterations
        private NDArray adv;
        private NDArray previous;
        private NDArray gradient;
        private NDArray best;
        private NDArray bestGradient;
        private NDArray lastAdversarial;

        Run(
                AttackBatch batch,
                int[] rows,
                NDArray x,
                NDArray y,
                NDArray targets,
                Projection ball,
                NDManager scope) {
            this.batch = batch;
            this.rows = rows;
            this.target = batch.target();
            this.x = x;
            this.y = y;
            this.targets = targets;
            this.scope = scope;
            this.labels = y.toLongArray();
            this.m = labels.length;
            this.tm = spec.threatModel();
            this.domain = batch.domain();
            this.linf = tm.norm() == Norm.LINF;
            this.ball = ball;
        }

        RunResult execute() {
            int steps = spec.steps();
            boolean[] isCheckpoint = new boolean[steps + 1];
            for (int checkpoint : checkpoints(steps)) {
                isCheckpoint[checkpoint] = true;
            }
            int lastCheckpoint = 0;

            double[] stepSize = new double[m];
            Arrays.fill(stepSize, 2 * tm.epsilon());
            boolean[] fooled = new boolean[m];
            double[] bestLoss;
            double[] previousLoss;
            double[] bestLossAtCheckpoint;
            boolean[] reducedAtCheckpoint = new boolean[m];
            Arrays.fill(reducedAtCheckpoint, true);
            int[] increases = new int[m];

            try (NDManager work = scope.newSubManager()) {
                Scopes.borrow(work, x, y, targets);
                adv = start(work);
                Probe probe = probe(adv);
                mark(fooled, probe.predicted);
                lastAdversarial = adv;
                best = adv;
                gradient = probe.gradient;
                bestGradient = gradient;
                previous = adv;
                bestLoss = probe.loss.clone();
                previousLoss = probe.loss.clone();
                bestLossAtCheckpoint = bestLoss.clone();
                keepState();
            }

            // η per example as a device column, made again only after a checkpoint halved a step
            NDArray eta = column(scope, stepSize);
            for (int i = 0; i < steps; i++) {
                try (NDManager work = scope.newSubManager()) {
                    Scopes.borrow(work, x, y, targets, eta);
                    attachState(work);
                    NDArray z = project(adv.add(direction(gradient).mul(eta)));
                    NDArray next =
                            i == 0
                                    ? z
                                    : project(
                                            adv.add(z.sub(adv).mul(MOMENTUM))
                                                    .add(adv.sub(previous).mul(1 - MOMENTUM)));
                    previous = adv;
                    adv = next;
                    Probe probe = probe(adv);
                    gradient = probe.gradient;

                    boolean[] wrongNow = wrong(probe.predicted);
                    if (any(wrongNow)) {
                        lastAdversarial =
                                NDArrays.where(mask(work, wrongNow), adv, lastAdversarial);
                        for (int b = 0; b < m; b++) {
                            fooled[b] |= wrongNow[b];
                        }
                    }
                    boolean[] improved = new boolean[m];
                    for (int b = 0; b < m; b++) {
                        double loss = probe.loss[b];
                        improved[b] = loss > bestLoss[b];
                        if (improved[b]) {
                            bestLoss[b] = loss;
                        }
                        if (loss > previousLoss[b]) {
                            increases[b]++;
                        }
                        previousLoss[b] = loss;
                    }
                    if (any(improved)) {
                        NDArray better = mask(work, improved);
                        best = NDArrays.where(better, adv, best);
                        bestGradient = NDArrays.where(better, gradient, bestGradient);
                    }

                    if (isCheckpoint[i + 1]) {
                        int window = i + 1 - lastCheckpoint;
                        boolean[] reduce = new boolean[m];
                        for (int b = 0; b < m; b++) {
                            boolean oscillating = increases[b] <= window * spec.rho();
                            boolean stalled =
                                    !reducedAtCheckpoint[b]
                                            && bestLossAtCheckpoint[b] >= bestLoss[b];
                            reduce[b] = oscillating || stalled;
                            if (reduce[b]) {
                                stepSize[b] /= 2;
                            }
                            increases[b] = 0;
                        }
                        reducedAtCheckpoint = reduce;
                        bestLossAtCheckpoint = bestLoss.clone();
                        if (any(reduce)) {
                            NDArray reset = mask(work, reduce);
                            adv = NDArrays.where(reset, best, adv);
                            gradient = NDArrays.where(reset, bestGradient, gradient);
                            // the old column is borrowed by `work`; the run's scope frees it
                            eta = column(scope, stepSize);
                        }
                        lastCheckpoint = i + 1;
                    }
                    keepState();
                }
            }
            return new RunResult(fooled, bestLoss, lastAdversarial, best);
        }

        /**
         * The random start on the surface of the ε-ball, clamped to the input domain; the draws are
         * the batch's for its rows.
         */
        private NDArray start(NDManager work) {
            double eps = tm.epsilon();
            Shape example = x.getShape().slice(1);
            NDArray t;
            NDArray norm;
            if (linf) {
                t = batch.uniform(work, rows, example, -1f, 1f);
                norm =
                        t.abs()
                                .reshape(m, -1)
                                .max(new int[] {1})
                                .add(NORM_FLOOR)
                                .reshape(Projection.broadcastShape(x));
            } else {
                t = batch.normal(work, rows, example, 0f, 1f);
                norm = Projection.perExampleNorm(t);
            }
            return domain.clip(x.add(t.div(norm).mul(eps)));
        }

        /**
         * Loss, predictions and input gradient at {@code point}: one pass, counted. The losses and
         * the predicted classes reach the host in one read: the predictions (class indices, exact
         * in float64) travel as a second row under the losses.
         */
        private Probe probe(NDArray point) {
            batch.countQueries(rows);
            double[][] read = new double[1][];
            NDArray grad =
                    InputGradients.of(
                            target,
                            point,
                            spec.batchNormMode(),
                            logits -> {
                                NDArray perExample = loss(logits);
                                try (NDArray values =
                                        NDArrays.stack(
                                                new NDList(
                                                        perExample
                                                                .stopGradient()
                                                                .toType(DataType.FLOAT64, false),
                                                        logits.argMax(1)
                                                                .toType(
                                                                        DataType.FLOAT64,
                                                                        false)))) {
                                    read[0] = values.toDoubleArray();
                                }
                                return perExample.sum();
                            });
            double[] loss = Arrays.copyOfRange(read[0], 0, m);
            long[] predicted = new long[m];
            for (int b = 0; b < m; b++) {
                predicted[b] = (long) read[0][m + b];
            }
            return new Probe(grad, loss, predicted);
        }

        private NDArray loss(NDArray logits) {
            if (spec.loss() == ApgdLoss.CROSS_ENTROPY) {
                return Losses.perExampleCrossEntropy(logits, y);
            }
            return spec.targeted()
                    ? DlrLosses.targetedDlr(logits, y, targets)
                    : DlrLosses.dlr(logits, y);
        }

        private NDArray direction(NDArray grad) {
            return linf ? grad.sign() : grad.div(Projection.perExampleNorm(grad));
        }

        /** The projection onto the ε-ball around {@code x} and the input bounds. */
        private NDArray project(NDArray candidate) {
            return ball.projected(candidate);
        }

        private NDArray column(NDManager work, double[] values) {
            return work.create(values)
                    .toType(x.getDataType(), false)
                    .reshape(Projection.broadcastShape(x));
        }

        /**
         * A per-example condition in the inputs' shape, for {@code NDArrays.where} (DJL's does not
         * broadcast the condition): one upload, shared by the arrays it selects.
         */
        private NDArray mask(NDManager work, boolean[] perExample) {
            return work.create(perExample, Projection.broadcastShape(x)).broadcast(x.getShape());
        }

        private boolean[] wrong(long[] predicted) {
            boolean[] wrong = new boolean[m];
            for (int b = 0; b < m; b++) {
                wrong[b] = predicted[b] != labels[b];
            }
            return wrong;
        }

        private void mark(boolean[] fooled, long[] predicted) {
            boolean[] wrong = wrong(predicted);
            for (int b = 0; b < m; b++) {
                fooled[b] |= wrong[b];
            }
        }

        private void attachState(NDManager work) {
            for (NDArray array : state()) {
                array.attach(work);
            }
        }

        private void keepState() {
            for (NDArray array : state()) {
                array.attach(scope);
            }
        }

        private NDArray[] state() {
            return new NDArray[] {adv, previous, gradient, best, bestGradient, lastAdversarial};
        }
    }

    /**
     * The checkpoints of a run of {@code steps} iterations, as numbers of iterations done: the
     * reference's discretization of {@code p_0 = 0}, {@code p_1 = 0.22}, {@code p_{j+1} = p_j +
     * max(p_j − p_{j−1} − 0.03, 0.06)} — a first window of {@code max(⌊0.22N⌋, 1)} iterations, each
     * next window {@code max(⌊0.03N⌋, 1)} shorter, down to {@code max(⌊0.06N⌋, 1)}. For N = 100:
     * 22, 41, 57, 70, 80, 87, 93, 99.
     *
     * @param steps the number of iterations N, at least 1
     * @return the checkpoints, increasing, each in {@code [1, steps]}
     */
    static int[] checkpoints(int steps) {
        int window = Math.max((int) (0.22 * steps), 1);
        int minWindow = Math.max((int) (0.06 * steps), 1);
        int decrease = Math.max((int) (0.03 * steps), 1);
        int[] found = new int[steps];
        int count = 0;
        for (int at = window; at <= steps; at += window) {
            found[count++] = at;
            window = Math.max(window - decrease, minWindow);
        }
        return Arrays.copyOf(found, count);
    }

    private static boolean any(boolean[] values) {
        for (boolean value : values) {
            if (value) {
                return true;
            }
        }
        return false;
    }
}
