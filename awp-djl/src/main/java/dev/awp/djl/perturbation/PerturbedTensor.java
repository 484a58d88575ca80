package dev.awp.djl.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.awp.djl.internal.Guards;

/**
 * One tensor AWP perturbs, for one batch: the live weight {@code w}, its {@code v} buffer (reused
 * across batches), its radius {@code r = γ‖w‖} for this batch, and the copy of {@code w} held from
 * {@link #save()} until the tensor is restored.
 */
final class PerturbedTensor {

    private static final double NORM_FLOOR = 1e-20;

    private final String name;
    private final String id;
    private final NDArray weight;
    private final NDArray v;
    private NDManager scope;
    private NDArray radius;
    private NDArray move;
    private NDArray original;

    PerturbedTensor(String name, Parameter parameter, NDArray v) {
        this.name = name;
        this.id = parameter.getId();
        this.weight = parameter.getArray();
        this.v = v;
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

    /** Keeps a copy of {@code w}, owned by the weight's manager, until the restore. */
    void save() {
        original = weight.duplicate();
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
            Guards.zero(v);
        }
    }

    /**
     * Turns the gradient held by {@code source} (the weight, or its proxy copy) into the next
     * {@code v} without moving the weight. For one step: {@code v = r·g/(‖g‖+1e-20)}, written once
     * ({@code v} takes over the new array's storage; the gradient is zeroed afterwards, with all
     * the others). For K steps, {@code v ← Π(v + η·r·g/(‖g‖+1e-20))}, the gradient is zeroed at
     * once because the next ascent step's backward accumulates into it, and the move {@code v_new −
     * v_old} (in the scope of {@link #startAscent}) is kept for {@link #move()}, which takes the
     * weight to {@code w + v} once every {@code v} is checked finite.
     */
    void ascend(NDArray source, int steps, double stepSize) {
        try (NDManager local = v.getManager().newSubManager()) {
            source.tempAttach(local);
            NDArray gradient = source.getGradient();
            NDArray scale = gradient.norm().add(NORM_FLOOR).pow(-1).mul(radius);
            if (steps == 1) {
                v.intern(gradient.mul(scale));
                return;
            }
            v.tempAttach(local);
            NDArray previous = v.duplicate();
            NDArray next = v.add(gradient.mul(scale).mul(stepSize));
            NDArray norm = next.norm().add(NORM_FLOOR);
            NDArray shrink = radius.div(norm).minimum(1.0);
            next.muli(shrink);
            Guards.zero(v);
            v.addi(next);
            move = v.sub(previous);
            move.attach(scope);
            Guards.zero(gradient);
        }
    }

    /** Moves the weight by the last ascent step's move ({@code K > 1}) and frees the move. */
    void move() {
        weight.addi(move);
        move.close();
    }

    /**
     * Copies the saved {@code w} back bit for bit (no {@code (w + v) − v} rounding) and frees it;
     * does nothing if {@code w} was not saved or is restored already.
     */
    void restoreExactly() {
        if (original == null) {
            return;
        }
        try {
            Guards.copy(weight, original);
        } finally {
            dropSaved();
        }
    }

    /** Frees the saved copy of {@code w}: the update's {@code w ← w − v} restored it. */
    void dropSaved() {
        NDArray saved = original;
        original = null;
        if (saved != null) {
            saved.close();
        }
    }
}
