package dev.awp.djl.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.AttackLoss;
import dev.awp.attack.Norm;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.internal.DomainBounds;

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

    PgdAttacker(PgdAttack spec) {
        super(spec);
    }

    @Override
    protected NDArray craft(AttackBatch batch) {
        NDArray x = batch.x();
        NDArray cleanLogits =
                spec.loss().kind() == AttackLoss.Kind.KL_TO_CLEAN ? batch.cleanLogits() : null;
        NDArray best = null;
        NDArray bestLoss = null;
        for (int run = 0; run < spec.restarts(); run++) {
            NDArray adv = run(batch, cleanLogits);
            if (spec.restarts() == 1) {
                return adv;
            }
            batch.countQueries(batch.allRows());
            NDArray loss =
                    AttackLosses.of(
                            spec.loss(),
                            batch.target().logits(adv, batch.mode()),
                            batch.labels(),
                            cleanLogits);
            if (best == null) {
                best = adv;
                bestLoss = loss;
            } else {
                NDArray better = loss.gte(bestLoss);
                best =
                        NDArrays.where(
                                better.reshape(Projection.broadcastShape(x))
                                        .broadcast(x.getShape()),
                                adv,
                                best);
                bestLoss = NDArrays.where(better, loss, bestLoss);
            }
        }
        return best;
    }

    private NDArray run(AttackBatch batch, NDArray cleanLogits) {
        NDManager scope = batch.scope();
        Projection ball = batch.ball();
        NDArray adv = start(batch, scope);
        for (int step = 0; step < spec.steps(); step++) {
            NDArray next;
            try (NDManager iteration = scope.newSubManager()) {
                adv.tempAttach(iteration);
                batch.countQueries(batch.allRows());
                NDArray gradient =
                        batch.gradient(
                                adv,
                                logits -> {
                                    batch.checkClasses(logits);
                                    return AttackLosses.of(
                                                    spec.loss(),
                                                    logits,
                                                    batch.labels(),
                                                    cleanLogits)
                                            .sum();
                                });
                next = ball.projected(adv.add(direction(gradient).mul(spec.stepSize())));
                next.attach(scope);
            }
            adv.close();
            adv = next;
        }
        return adv;
    }

    /** The first point of a run, attached to {@code scope}; the draws are the batch's. */
    private NDArray start(AttackBatch batch, NDManager scope) {
        NDArray x = batch.x();
        DomainBounds domain = batch.domain();
        ThreatModel tm = spec.threatModel();
        double eps = tm.epsilon();
        int[] rows = batch.allRows();
        Shape example = x.getShape().slice(1);
        switch (spec.randomStart()) {
            case NONE:
                return x.duplicate();
            case GAUSSIAN:
                // As in the TRADES/MART reference: not clamped here; the first step projects.
                return x.add(
                        batch.normal(scope, rows, example, 0f, (float) spec.gaussianStd())
                                .toDevice(x.getDevice(), false));
            case UNIFORM:
                NDArray delta;
                if (tm.norm() == Norm.LINF) {
                    delta = batch.uniform(scope, rows, example, (float) -eps, (float) eps);
                } else {
                    NDArray direction = batch.normal(scope, rows, example, 0f, 1f);
                    NDArray radius =
                            batch.uniform(
                                            scope,
                                            rows,
                                            Projection.broadcastShape(x).slice(1),
                                            0f,
                                            1f)
                                    .mul(eps);
                    delta = direction.div(Projection.perExampleNorm(direction)).mul(radius);
                }
                return domain.clip(x.add(delta.toDevice(x.getDevice(), false)));
            default:
                throw new AssertionError(spec.randomStart());
        }
    }

    /**
     * The ascent direction: the sign of the gradient (L∞) or the per-example unit gradient (L2).
     */
    private NDArray direction(NDArray gradient) {
        if (spec.threatModel().norm() == Norm.LINF) {
            return gradient.sign();
        }
        return gradient.div(Projection.perExampleNorm(gradient));
    }
}
