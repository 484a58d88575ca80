package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.AttackLoss;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.Norm;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.internal.DomainBounds;
import dev.awp.djl.internal.GradientSuspension;
import dev.awp.djl.internal.Guards;
import dev.awp.djl.internal.Scopes;
import java.util.Arrays;

/**
 * Executes a {@link PgdAttack} specification (and FGSM, as one step of it).
 *
 * <p>Per run: start ({@code x}, uniform in the ε-ball, or {@code x + σ·N(0,1)}); then {@code steps}
 * times: input gradient of the summed per-example loss, step ({@code α·sign(∇)} for L∞, {@code
 * α·∇/‖∇‖} per example for L2), projection onto the ε-ball around {@code x} and the input domain
 * (scalar or per-feature bounds, bound to the batch once). With several restarts the perturbation
 * of highest per-example loss is kept (ties go to the later run, as in the reference code). Weight
 * gradients are off for the whole attack.
 */
final class PgdAttacker extends SpecifiedAttack<PgdAttack> {

    private static final double NORM_FLOOR = 1e-12;

    PgdAttacker(PgdAttack spec) {
        super(spec);
    }

    @Override
    public NDArray generate(AttackTarget target, NDArray x, NDArray y) {
        requireNonNull(target, "target");
        requireNonNull(x, "x");
        requireNonNull(y, "y");
        NDManager owner = x.getManager();
        BatchNormMode mode = spec.batchNormMode();
        try (GradientSuspension off = GradientSuspension.suspend(target.trainableArrays());
                NDManager scope = owner.newSubManager()) {
            Scopes.borrow(scope, x, y);
            DomainBounds domain = DomainBounds.of(spec.threatModel().domain(), x, scope);
            Guards.CheckedLabels labels = Guards.checkBatch(domain, x, y);
            NDArray cleanLogits = null;
            if (spec.loss().kind() == AttackLoss.Kind.KL_TO_CLEAN) {
                cleanLogits = target.logits(x, mode).stopGradient();
                labels.checkClasses(cleanLogits);
            }
            Bounds bounds = new Bounds(x, spec.threatModel(), domain);
            NDArray best = null;
            NDArray bestLoss = null;
            for (int run = 0; run < spec.restarts(); run++) {
                NDArray adv = run(target, x, labels, cleanLogits, bounds, scope);
                if (spec.restarts() == 1) {
                    best = adv;
                    break;
                }
                NDArray loss =
                        AttackLosses.of(
                                spec.loss(),
                                target.logits(adv, mode),
                                labels.vector(),
                                cleanLogits);
                if (best == null) {
                    best = adv;
                    bestLoss = loss;
                } else {
                    NDArray better = loss.gte(bestLoss);
                    best =
                            NDArrays.where(
                                    better.reshape(broadcastShape(x)).broadcast(x.getShape()),
                                    adv,
                                    best);
                    bestLoss = NDArrays.where(better, loss, bestLoss);
                }
            }
            best.attach(owner);
            return best;
        }
    }

    private NDArray run(
            AttackTarget target,
            NDArray x,
            Guards.CheckedLabels labels,
            NDArray cleanLogits,
            Bounds bounds,
            NDManager scope) {
        NDArray adv = start(x, bounds.domain, scope);
        for (int step = 0; step < spec.steps(); step++) {
            NDArray next;
            try (NDManager iteration = scope.newSubManager()) {
                adv.tempAttach(iteration);
                NDArray gradient =
                        InputGradients.of(
                                target,
                                adv,
                                spec.batchNormMode(),
                                logits -> {
                                    labels.checkClasses(logits);
                                    return AttackLosses.of(
                                                    spec.loss(),
                                                    logits,
                                                    labels.vector(),
                                                    cleanLogits)
                                            .sum();
                                });
                next = bounds.project(adv.add(direction(gradient, x).mul(spec.stepSize())));
                next.attach(scope);
            }
            adv.close();
            adv = next;
        }
        return adv;
    }

    /** The first point of a run, attached to {@code scope}. */
    private NDArray start(NDArray x, DomainBounds domain, NDManager scope) {
        ThreatModel tm = spec.threatModel();
        double eps = tm.epsilon();
        switch (spec.randomStart()) {
            case NONE:
                return x.duplicate();
            case GAUSSIAN:
                // As in the TRADES/MART reference: not clamped here; the first step projects.
                return x.add(
                        scope.randomNormal(
                                        0f,
                                        (float) spec.gaussianStd(),
                                        x.getShape(),
                                        x.getDataType())
                                .toDevice(x.getDevice(), false));
            case UNIFORM:
                NDArray delta;
                if (tm.norm() == Norm.LINF) {
                    delta =
                            scope.randomUniform(
                                    (float) -eps, (float) eps, x.getShape(), x.getDataType());
                } else {
                    NDArray direction = scope.randomNormal(x.getShape(), x.getDataType());
                    NDArray radius =
                            scope.randomUniform(0f, 1f, broadcastShape(x), x.getDataType())
                                    .mul(eps);
                    delta = direction.div(perExampleNorm(direction)).mul(radius);
                }
                return domain.clip(x.add(delta.toDevice(x.getDevice(), false)));
            default:
                throw new AssertionError(spec.randomStart());
        }
    }

    /**
     * The ascent direction: the sign of the gradient (L∞) or the per-example unit gradient (L2).
     */
    private NDArray direction(NDArray gradient, NDArray x) {
        if (spec.threatModel().norm() == Norm.LINF) {
            return gradient.sign();
        }
        return gradient.div(perExampleNorm(gradient));
    }

    /** Per-example L2 norms of {@code a}, shaped to broadcast against {@code a}, floored. */
    static NDArray perExampleNorm(NDArray a) {
        long batch = a.getShape().get(0);
        return a.reshape(batch, -1).norm(new int[] {1}).add(NORM_FLOOR).reshape(broadcastShape(a));
    }

    /**
     * Projects onto the ε-ball around {@code x} and the input domain: L∞ clamps to {@code [lower,
     * upper]} (precomputed {@code max(x − ε, lo)} and {@code min(x + ε, hi)}, per feature with
     * per-feature bounds); L2 shrinks each example's {@code δ} to norm at most ε, then clamps to
     * the domain. Shared by PGD and APGD.
     */
    static NDArray project(
            NDArray candidate,
            NDArray x,
            NDArray lower,
            NDArray upper,
            ThreatModel tm,
            DomainBounds domain) {
        if (tm.norm() == Norm.LINF) {
            return candidate.maximum(lower).minimum(upper);
        }
        NDArray delta = candidate.sub(x);
        NDArray norms = perExampleNorm(delta);
        NDArray factor = norms.getManager().ones(norms.getShape(), norms.getDataType());
        factor = factor.minimum(norms.pow(-1).mul(tm.epsilon()));
        return domain.clip(x.add(delta.mul(factor)));
    }

    /** {@code (B, 1, ..., 1)} with the rank of {@code a}. */
    static Shape broadcastShape(NDArray a) {
        long[] dims = new long[a.getShape().dimension()];
        Arrays.fill(dims, 1L);
        dims[0] = a.getShape().get(0);
        return new Shape(dims);
    }

    /** Projection onto the ε-ball around {@code x} and the input domain. */
    static final class Bounds {
        private final NDArray x;
        private final ThreatModel tm;
        private final DomainBounds domain;
        private final NDArray lower;
        private final NDArray upper;

        Bounds(NDArray x, ThreatModel tm, DomainBounds domain) {
            this.x = x;
            this.tm = tm;
            this.domain = domain;
            if (tm.norm() == Norm.LINF) {
                lower = domain.atLeastLower(x.sub(tm.epsilon()));
                upper = domain.atMostUpper(x.add(tm.epsilon()));
            } else {
                lower = null;
                upper = null;
            }
        }

        NDArray project(NDArray candidate) {
            return PgdAttacker.project(candidate, x, lower, upper, tm, domain);
        }

        /** The clean inputs. */
        NDArray x() {
            return x;
        }

        /** Moves the precomputed L∞ box into {@code manager}. */
        void attach(NDManager manager) {
            if (lower != null) {
                lower.attach(manager);
                upper.attach(manager);
            }
        }
    }
}
