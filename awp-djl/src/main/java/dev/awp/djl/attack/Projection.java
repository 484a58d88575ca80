package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.Norm;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.internal.DomainBounds;
import dev.awp.djl.internal.Scopes;
import java.util.Arrays;

/**
 * Where an attack's inputs must stay, for one batch: the threat model's ε-ball around the clean
 * inputs intersected with its input domain — scalar bounds or per-feature bounds ({@link
 * dev.awp.attack.InputDomain}). The one ε-ball geometry of awp: the built-in attacks project with
 * it, and an {@link AbstractInputAttack} gets one from {@link AttackBatch#ball()}. Use it instead
 * of clipping to {@code lowerBound()}/{@code upperBound()}, which for a per-feature domain are only
 * the loosest bounds. Outside the template:
 *
 * <pre>{@code
 * try (Projection ball = Projection.around(x, threatModel)) {
 *     NDArray adv = ball.clipToDomain(x.add(noise));
 *     for (int step = 0; step < steps; step++) {
 *         adv = ball.project(adv.add(InputGradients.of(target, adv, mode, loss).sign().mul(a)));
 *     }
 *     return adv;
 * }
 * }</pre>
 *
 * <p>L∞: the box {@code [max(x − ε, lower), min(x + ε, upper)]}, computed once. L2: each example's
 * {@code δ = x' − x} shrunk to norm at most ε, then clipped to the domain. Arrays it returns belong
 * to the manager of the array they were computed from; its own (the box and per-feature bounds) are
 * freed by {@link #close()} when it made them ({@link #around}), with the batch otherwise.
 */
public final class Projection implements AutoCloseable {

    private static final double NORM_FLOOR = 1e-12;

    private final NDManager owned;
    private final NDArray x;
    private final ThreatModel tm;
    private final DomainBounds domain;
    private final NDArray lower;
    private final NDArray upper;

    private Projection(
            NDManager owned, NDArray x, ThreatModel tm, DomainBounds domain, NDManager manager) {
        this.owned = owned;
        this.x = x;
        this.tm = tm;
        this.domain = domain;
        if (tm.norm() == Norm.LINF) {
            lower = domain.atLeastLower(x.sub(tm.epsilon()));
            upper = domain.atMostUpper(x.add(tm.epsilon()));
            lower.attach(manager);
            upper.attach(manager);
        } else {
            lower = null;
            upper = null;
        }
    }

    /**
     * Binds the threat model to a batch of clean inputs.
     *
     * @param x the clean inputs, shape {@code (B, ...)}; must outlive the projection
     * @param threatModel the threat model
     * @return the projection; close it when the attack is done
     * @throws IllegalArgumentException if the threat model has per-feature bounds whose number is
     *     not one example's element count
     */
    public static Projection around(NDArray x, ThreatModel threatModel) {
        requireNonNull(x, "x");
        requireNonNull(threatModel, "threatModel");
        NDManager scope = x.getManager().newSubManager();
        try (NDManager work = x.getManager().newSubManager()) {
            Scopes.borrow(work, x);
            DomainBounds domain = DomainBounds.of(threatModel.domain(), x, scope);
            return new Projection(scope, x, threatModel, domain, scope);
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
    }

    /**
     * The projection around {@code x} with a domain already bound to the batch; its box lives in
     * {@code manager} and {@link #close()} frees nothing.
     */
    static Projection of(NDArray x, ThreatModel tm, DomainBounds domain, NDManager manager) {
        return new Projection(null, x, tm, domain, manager);
    }

    /**
     * Projects onto the ε-ball around the clean inputs and into the input domain.
     *
     * @param candidate inputs shaped like the clean ones
     * @return the projected inputs, owned by {@code candidate}'s manager
     */
    public NDArray project(NDArray candidate) {
        requireNonNull(candidate, "candidate");
        NDManager owner = candidate.getManager();
        try (NDManager work = owner.newSubManager()) {
            Scopes.borrow(work, candidate);
            NDArray projected = projected(candidate);
            projected.attach(owner);
            return projected;
        }
    }

    /**
     * The projection with no scoping of its own: its temporaries and result land in {@code
     * candidate}'s manager. For the attack loops, which scope every iteration.
     */
    NDArray projected(NDArray candidate) {
        if (lower != null) {
            return candidate.maximum(lower).minimum(upper);
        }
        NDArray delta = candidate.sub(x);
        NDArray norms = perExampleNorm(delta);
        NDArray factor = norms.getManager().ones(norms.getShape(), norms.getDataType());
        factor = factor.minimum(norms.pow(-1).mul(tm.epsilon()));
        // δ·factor + x: x second, so that nothing lands in x's manager (x may be borrowed)
        return domain.clip(delta.mul(factor).add(x));
    }

    /**
     * Clips every component into the input domain only (not the ε-ball), e.g. for a random start.
     *
     * @param a inputs shaped like the clean ones
     * @return the clipped inputs, owned by {@code a}'s manager
     */
    public NDArray clipToDomain(NDArray a) {
        requireNonNull(a, "a");
        NDManager owner = a.getManager();
        try (NDManager work = owner.newSubManager()) {
            Scopes.borrow(work, a);
            NDArray clipped = domain.clip(a);
            clipped.attach(owner);
            return clipped;
        }
    }

    /** Frees the precomputed bounds of a projection made by {@link #around}. */
    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }

    /** Per-example L2 norms of {@code a}, shaped to broadcast against {@code a}, floored. */
    static NDArray perExampleNorm(NDArray a) {
        long batch = a.getShape().get(0);
        return a.reshape(batch, -1).norm(new int[] {1}).add(NORM_FLOOR).reshape(broadcastShape(a));
    }

    /** {@code (B, 1, ..., 1)} with the rank of {@code a}. */
    static Shape broadcastShape(NDArray a) {
        long[] dims = new long[a.getShape().dimension()];
        Arrays.fill(dims, 1L);
        dims[0] = a.getShape().get(0);
        return new Shape(dims);
    }
}
