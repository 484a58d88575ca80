package dev.awp.djl.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.awp.djl.internal.Guards;
import java.util.List;

/**
 * One tensor AWP perturbs, for one batch: the live weight {@code w}, its {@code v} buffer (reused
 * across batches) and its radius {@code r = γ‖w‖} for this batch. No copy of {@code w} is kept:
 * every restore is the reference's {@code w ← (w + v) − v} (spec §2, step 5), so the memory AWP
 * adds is the {@code v} buffers.
 */
final class PerturbedTensor {

    private static final double NORM_FLOOR = 1e-20;

    private final String name;
    private final String id;
    private final NDArray weight;
    private final NDArray v;
    private NDManager scope;
    private NDArray radius;
    private NDArray gradientNorm;
    private NDArray scale;
    private NDArray move;
    private boolean applied;

    PerturbedTensor(String name, Parameter parameter, NDArray v) {
        this.name = name;
        this.id = parameter.getId();
        this.weight = parameter.getArray();
        this.v = v;
    }

    /**
     * An array of {@code weight}'s shape and type that holds no memory of its own (one zero,
     * expanded): a {@code v} buffer between steps. Its values read as zero; it must not be written.
     */
    static NDArray emptyLike(NDArray weight) {
        try (NDArray zero = weight.getManager().zeros(new Shape(), weight.getDataType())) {
            return zero.broadcast(weight.getShape());
        }
    }

    /** Frees the storage of a {@code v} buffer, which keeps its shape ({@link #emptyLike}). */
    static void release(NDArray v) {
        if (v.getShape().size() > 1) {
            v.intern(emptyLike(v));
        }
    }

    /** The parameter's name in the block, as error messages give it. */
    String name() {
        return name;
    }

    /** The parameter's id, as {@code Optimizer.update} receives it. */
    String id() {
        return id;
    }

    /** The live weight. */
    NDArray weight() {
        return weight;
    }

    /** The perturbation buffer: {@code v} once the pass is done. */
    NDArray v() {
        return v;
    }

    /**
     * Sets the radius {@code r = γ‖w‖} (in {@code scope}) and, for several ascent steps, starts
     * {@code v} from zero.
     */
    void startAscent(double gamma, int steps, NDManager scope) {
        this.scope = scope;
        try (NDArray norm = weight.norm()) {
            radius = norm.mul(gamma);
            radius.attach(scope);
        }
        if (steps > 1) {
            // the weight moves along with v from here on: w + 0 is applied
            v.intern(weight.zerosLike());
            applied = true;
        }
    }

    /**
     * Turns a gradient {@code g} of the weight into the next {@code v} without moving the weight,
     * and keeps {@code ‖g‖} and the scale {@code r/(‖g‖+1e-20)} for {@link #checkedScalars()}. The
     * method takes {@code gradient} over (it is closed here). For one step: {@code v =
     * r·g/(‖g‖+1e-20)}, written once: with {@code exclusive} (a gradient no one else reads, such as
     * a detached leaf's) in place, {@code v} taking over its storage; otherwise into a new array
     * ({@code v} takes over its storage; the caller zeroes the weight's gradient afterwards). For K
     * steps, {@code v ← Π(v + η·r·g/(‖g‖+1e-20))}; a shared gradient is zeroed at once because the
     * next ascent step's backward accumulates into it, and the move {@code v_new − v_old} (in the
     * scope of {@link #startAscent}) is kept for {@link #move()}, which takes the weight to {@code
     * w + v} once every {@code v} is checked finite.
     */
    void ascend(NDArray gradient, boolean exclusive, int steps, double stepSize) {
        try (NDManager local = v.getManager().newSubManager()) {
            gradient.attach(local);
            gradientNorm = gradient.norm();
            scale = gradientNorm.add(NORM_FLOOR).pow(-1).mul(radius);
            gradientNorm.attach(scope);
            scale.attach(scope);
            if (steps == 1) {
                v.intern(exclusive ? gradient.muli(scale) : gradient.mul(scale));
                return;
            }
            v.tempAttach(local);
            NDArray next = v.add(gradient.mul(scale).mul(stepSize));
            NDArray norm = next.norm().add(NORM_FLOOR);
            NDArray shrink = radius.div(norm).minimum(1.0);
            next.muli(shrink);
            // v keeps the perturbation the weight holds until move() applies the next one
            move = next.sub(v);
            move.attach(scope);
            if (!exclusive) {
                Guards.zero(gradient);
            }
        }
    }

    /**
     * The scalars that prove the last {@link #ascend} step's {@code v} finite: {@code ‖g‖} and the
     * scale {@code r/(‖g‖+1e-20)}. If both are finite, every {@code |g_i| ≤ ‖g‖} is finite and
     * {@code |v_i| = |g_i|·scale ≤ r·‖g‖/(‖g‖+1e-20) ≤ r} (to rounding), so {@code v} is finite
     * without a pass over it; an infinite {@code g_i} makes {@code ‖g‖} infinite, a NaN makes it
     * NaN, and an infinite radius makes the scale infinite. (For K steps the projection keeps
     * {@code ‖v‖ ≤ r}.)
     */
    List<NDArray> checkedScalars() {
        return List.of(gradientNorm, scale);
    }

    /** {@code ‖g‖} of the last {@link #ascend} step. */
    NDArray gradientNorm() {
        return gradientNorm;
    }

    /**
     * Moves the weight and {@code v} by the last ascent step's move ({@code K > 1}) and frees the
     * move.
     */
    void move() {
        weight.addi(move);
        v.addi(move);
        move.close();
    }

    /** Adds {@code v} to the weight ({@code K = 1}, once every {@code v} is checked finite). */
    void apply() {
        weight.addi(v);
        applied = true;
    }

    /**
     * Restores {@code w ← (w + v) − v}, the reference's restore (spec §2, step 5: within a few ulps
     * of {@code w}, invariant 6); does nothing if {@code v} is not applied or is restored already.
     */
    void restore() {
        if (!applied) {
            return;
        }
        applied = false;
        weight.subi(v);
    }

    /** Marks the tensor restored: the update's {@code w ← w − v} was applied by the caller. */
    void markRestored() {
        applied = false;
    }
}
