package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.internal.DomainBounds;
import dev.awp.djl.internal.Scopes;

/**
 * Where a custom attack's inputs must stay, for one batch: the threat model's ε-ball around the
 * clean inputs intersected with its input domain — scalar bounds or per-feature bounds ({@link
 * dev.awp.attack.InputDomain}). The built-in attacks project the same way. Use it in a custom
 * {@link InputAttack} instead of clipping to {@code lowerBound()}/{@code upperBound()}, which for a
 * per-feature domain are only the loosest bounds:
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
 * freed by {@link #close()}.
 */
public final class Projection implements AutoCloseable {

    private final NDManager scope;
    private final DomainBounds domain;
    private final PgdAttacker.Bounds bounds;

    private Projection(NDManager scope, DomainBounds domain, PgdAttacker.Bounds bounds) {
        this.scope = scope;
        this.domain = domain;
        this.bounds = bounds;
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
            PgdAttacker.Bounds bounds = new PgdAttacker.Bounds(x, threatModel, domain);
            bounds.attach(scope);
            return new Projection(scope, domain, bounds);
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
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
            Scopes.borrow(work, candidate, bounds.x());
            NDArray projected = bounds.project(candidate);
            projected.attach(owner);
            return projected;
        }
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

    /** Frees the precomputed bounds. */
    @Override
    public void close() {
        scope.close();
    }
}
