package dev.awp.djl.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.Attack;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.internal.DomainBounds;
import dev.awp.djl.internal.Guards;
import dev.awp.djl.internal.SplitMix64;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * One batch as an {@link AbstractInputAttack} sees it in {@link AbstractInputAttack#craft}: the
 * model, the clean inputs and their checked labels, the attack's threat model bound to the batch
 * and a scope for temporaries.
 *
 * <p>{@link #x()} and {@link #labels()} are the caller's arrays, lent to {@link #scope()} for the
 * call: arrays computed from them land there. Do not close them or attach them elsewhere.
 */
public final class AttackBatch {

    private final Attack attack;
    private final AttackTarget target;
    private final NDArray x;
    private final NDManager scope;
    private final DomainBounds domain;
    private final Guards.CheckedLabels labels;
    private final ExampleKeys.Draws draws;
    private NDArray cleanLogits;
    private Projection ball;

    AttackBatch(
            Attack attack,
            AttackTarget target,
            NDArray x,
            NDArray y,
            ExampleKeys keys,
            NDManager scope) {
        this.attack = attack;
        this.target = target;
        this.x = x;
        this.scope = scope;
        this.domain = DomainBounds.of(attack.threatModel().domain(), x, scope);
        this.labels = Guards.checkBatch(domain, x, y);
        this.draws = keys.open(size());
    }

    /**
     * The model under attack.
     *
     * @return the target
     */
    public AttackTarget target() {
        return target;
    }

    /**
     * The clean inputs, shape {@code (B, ...)}, checked to be finite and inside the input domain.
     *
     * @return the inputs; not to be modified
     */
    public NDArray x() {
        return x;
    }

    /**
     * The labels as a vector of shape {@code (B)}, in their original data type, checked to be class
     * indices.
     *
     * @return the labels
     */
    public NDArray labels() {
        return labels.vector();
    }

    /**
     * The number of examples {@code B}.
     *
     * @return the batch size
     */
    public int size() {
        return Math.toIntExact(x.getShape().get(0));
    }

    /**
     * Where temporaries go; closed when the attack returns.
     *
     * @return the scope
     */
    public NDManager scope() {
        return scope;
    }

    /**
     * The attack's threat model.
     *
     * @return the threat model
     */
    public ThreatModel threatModel() {
        return attack.threatModel();
    }

    /**
     * How BatchNorm runs while the attack queries the model: the attack's {@link
     * Attack#batchNormMode()}.
     *
     * @return the mode
     */
    public BatchNormMode mode() {
        return attack.batchNormMode();
    }

    /**
     * The model's logits at the clean inputs, computed on the first call (one forward pass) and
     * checked against the labels.
     *
     * @return the logits, shape {@code (B, C)}, without gradient
     * @throws IllegalArgumentException if a label is not below the number of outputs
     */
    public NDArray cleanLogits() {
        if (cleanLogits == null) {
            cleanLogits = target.logits(x, mode()).stopGradient();
            countQueries(allRows());
            cleanLogits.attach(scope);
            checkClasses(cleanLogits);
        }
        return cleanLogits;
    }

    /**
     * Checks that the labels index the logits' classes (a host comparison, no transfer).
     *
     * @param logits logits of shape {@code (n, C)}
     * @throws IllegalArgumentException if a label is {@code >= C}
     */
    public void checkClasses(NDArray logits) {
        labels.checkClasses(logits);
    }

    /**
     * The ε-ball around {@link #x()} within the input domain, made on the first call.
     *
     * @return the projection; freed with the batch
     */
    public Projection ball() {
        if (ball == null) {
            ball = Projection.of(x, threatModel(), domain, scope);
        }
        return ball;
    }

    /**
     * The ε-ball around some of the examples ({@code xs}, rows of {@link #x()}), its box in {@code
     * manager}.
     */
    Projection ballAround(NDArray xs, NDManager manager) {
        return Projection.of(xs, threatModel(), domain, manager);
    }

    /**
     * {@code ∇ loss(f(point))} with respect to the input, in the attack's BatchNorm mode ({@link
     * InputGradients#of}): no weight gradient is computed.
     *
     * @param point where to differentiate, shaped like {@link #x()}
     * @param loss maps the logits to a scalar
     * @return the gradient, attached to {@code point}'s manager
     */
    public NDArray gradient(NDArray point, Function<NDArray, NDArray> loss) {
        return InputGradients.of(target, point, mode(), loss);
    }

    /**
     * The random stream of example {@code row}, for host-side searches: with {@link ExampleKeys#of
     * keys}, the example's own stream (the same wherever the example is); from the engine, one
     * stream the whole batch shares.
     *
     * @param row the example's row in {@link #x()}
     * @return the stream; successive calls continue it
     */
    public RandomGenerator random(int row) {
        return stream(row);
    }

    /** {@link #random(int)} as awp's generator, for the built-in searches. */
    SplitMix64 stream(int row) {
        checkRow(row);
        return draws.stream(row, scope);
    }

    /**
     * Uniform draws in {@code [low, high)} for the examples {@code rows}, each row from its
     * example's stream ({@link #random(int)}) or from the engine's generator.
     *
     * @param manager where the array goes (its device)
     * @param rows rows of {@link #x()}, one row of the result each
     * @param exampleShape the shape drawn per example (e.g. {@code x}'s shape without the batch
     *     axis, or {@code (1, 1, 1)} for one number per example)
     * @param low the lower end
     * @param high the upper end
     * @return the draws, shape {@code (rows.length, exampleShape...)}, in {@code x}'s data type
     */
    public NDArray uniform(
            NDManager manager, int[] rows, Shape exampleShape, float low, float high) {
        checkRows(rows);
        return draws.uniform(manager, rows, exampleShape, x.getDataType(), low, high);
    }

    /**
     * Normal draws with mean {@code mean} and standard deviation {@code std}, as {@link #uniform}.
     *
     * @param manager where the array goes (its device)
     * @param rows rows of {@link #x()}, one row of the result each
     * @param exampleShape the shape drawn per example
     * @param mean the mean
     * @param std the standard deviation
     * @return the draws, shape {@code (rows.length, exampleShape...)}, in {@code x}'s data type
     */
    public NDArray normal(
            NDManager manager, int[] rows, Shape exampleShape, float mean, float std) {
        checkRows(rows);
        return draws.normal(manager, rows, exampleShape, x.getDataType(), mean, std);
    }

    /**
     * Records one forward pass of the model on each example of {@code rows}, for the per-example
     * tally of {@link ExampleKeys#queries()}. The built-in attacks call it on every pass they make
     * (gradient passes included); {@link #cleanLogits()} counts its own.
     *
     * @param rows rows of {@link #x()}, each queried once
     */
    public void countQueries(int[] rows) {
        checkRows(rows);
        draws.countQueries(rows);
    }

    /**
     * All rows, {@code 0 … B−1}: the argument of {@link #uniform}, {@link #normal} and {@link
     * #countQueries} for the whole batch.
     *
     * @return a new array
     */
    public int[] allRows() {
        int[] rows = new int[size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        return rows;
    }

    private void checkRows(int[] rows) {
        for (int row : rows) {
            checkRow(row);
        }
    }

    private void checkRow(int row) {
        if (row < 0 || row >= size()) {
            throw new IndexOutOfBoundsException(
                    "row must be in [0, " + size() + ") but was " + row);
        }
    }

    /** The input domain bound to the batch. */
    DomainBounds domain() {
        return domain;
    }
}
