package dev.awp.djl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.data.Offset.offset;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.objective.TrainingObjective;
import dev.awp.djl.objective.TrainingObjectives;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.testing.TestModels;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.StepOrder;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.training.NonFiniteValueException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestFactory;

/**
 * Fault injection into one AWP training step ({@link AwpEasyTrain#trainStep}): an exception or a
 * non-finite value at each point of the step must leave every trainable parameter either at {@code
 * w} (no update ran for it: bit-identical, or, for a perturbed tensor, restored by the reference's
 * {@code (w + v) − v}) or equal to what the step without the fault produces (its update ran), never
 * perturbed; and the next step must work.
 *
 * <p>BatchNorm running statistics are not weights: the training-mode forwards that ran before a
 * fault have updated them, as they would have without the fault, so they are not compared.
 *
 * <p>Not injected: a failure of the restore itself. Restoring copies a saved {@code w} into the
 * live weight with one native in-place copy between arrays of the same shape, type and device that
 * awp owns; it fails only if native memory is gone (an array closed under awp, the engine shut
 * down), and no public API can make it fail.
 */
class FaultInjectionTest {

    static final Shape INPUT = new Shape(8, 3, 6, 6);
    static final int CLASSES = 3;
    static final Attack ATTACK = Attacks.pgd(2);

    /** Trainable parameters of the rig's model: conv weight, BN gamma and beta, linear w and b. */
    static final int TRAINABLE = 5;

    /** Forwards per step: 2 for the PGD-2 attack, 1 for the AWP pass, 1 for the update. */
    static final int FORWARDS_PER_STEP = 4;

    /** Every injection point below; the summary asserts that all ran and all survived. */
    static final int EXPECTED_POINTS = 8 + 4 * TRAINABLE + 9 + 7;

    /**
     * A base optimizer that throws on its k-th {@code update} call, or makes the k-th update's
     * result NaN, and records the order.
     */
    static final class FaultyOptimizer extends Optimizer {
        final Optimizer inner;
        final List<String> updated = new ArrayList<>();
        int calls;
        int failAt = -1;
        int poisonAt = -1;

        FaultyOptimizer(Optimizer inner) {
            super(new NoOptions());
            this.inner = inner;
        }

        @Override
        public void update(String parameterId, NDArray weight, NDArray grad) {
            calls++;
            if (calls == failAt) {
                throw new IllegalStateException("injected update failure at call " + calls);
            }
            updated.add(parameterId);
            inner.update(parameterId, weight, grad);
            if (calls == poisonAt) {
                weight.muli(Float.NaN);
            }
        }

        private static final class NoOptions extends OptimizerBuilder<NoOptions> {
            @Override
            protected NoOptions self() {
                return this;
            }
        }
    }

    /** PGD-AT whose n-th loss call throws, or returns a loss detached from the graph. */
    static final class FaultyObjective implements TrainingObjective {
        final TrainingObjective inner = TrainingObjectives.bind(Objectives.pgdAt());
        int calls;
        int failAt = -1;
        boolean detach;

        @Override
        public String name() {
            return "faulty " + inner.name();
        }

        @Override
        public boolean usesCleanInputs() {
            return inner.usesCleanInputs();
        }

        @Override
        public NDArray loss(NDArray cleanLogits, NDArray adversarialLogits, NDArray labels) {
            calls++;
            NDArray loss = inner.loss(cleanLogits, adversarialLogits, labels);
            if (calls != failAt) {
                return loss;
            }
            if (detach) {
                return loss.stopGradient(); // collector.backward throws on it
            }
            throw new IllegalStateException("injected loss failure at call " + calls);
        }
    }

    /** An attack that returns a constant (NaN, infinity) or x itself, ignoring the labels. */
    static InputAttack constantAttack(float value) {
        ThreatModel tm = ATTACK.threatModel();
        return new InputAttack() {
            @Override
            public NDArray generate(AttackTarget target, NDArray x, NDArray y) {
                return Float.isNaN(value) || Float.isInfinite(value) ? x.add(value) : x.duplicate();
            }

            @Override
            public ThreatModel threatModel() {
                return tm;
            }

            @Override
            public String name() {
                return "constant(" + value + ")";
            }
        };
    }

    /** A tiny conv net with BatchNorm behind a forward counter that can throw, and its trainer. */
    static final class Rig implements AutoCloseable {
        static final int SEED = 11;
        final AtomicInteger forwards = new AtomicInteger();
        final int[] failForwardAt = {-1};
        final float[] learningRate;
        final FaultyOptimizer base;
        final AwpOptimizer awp;
        final FaultyObjective objective = new FaultyObjective();
        final Model model;
        final Trainer trainer;
        final Batch batch;

        Rig(StepOrder order, float lr, float momentum) {
            Engine.getInstance().setRandomSeed(SEED);
            learningRate = new float[] {lr};
            base =
                    new FaultyOptimizer(
                            Optimizer.sgd()
                                    .setLearningRateTracker((id, n) -> learningRate[0])
                                    .optMomentum(momentum)
                                    .optWeightDecays(5e-4f)
                                    .build());
            awp = AwpOptimizer.wrap(base, WeightPerturbation.of(0.01).withStepOrder(order));
            Block block =
                    new SequentialBlock()
                            .add(TestModels.convBn())
                            .add(
                                    new LambdaBlock(
                                            list -> {
                                                if (forwards.incrementAndGet()
                                                        == failForwardAt[0]) {
                                                    throw new IllegalStateException(
                                                            "injected forward failure");
                                                }
                                                return list;
                                            }));
            model = TestModels.model("fault", block, DataType.FLOAT32);
            trainer = TestModels.trainer(model, awp, INPUT);
            NDManager batchManager = trainer.getManager().newSubManager();
            NDArray x = batchManager.randomUniform(0f, 1f, INPUT);
            NDArray y = x.mean(new int[] {3}).mean(new int[] {2}).argMax(1);
            batch = new Batch(batchManager, new NDList(x), new NDList(y), 8, null, null, 0, 1);
            forwards.set(0);
        }

        Rig() {
            this(StepOrder.UPDATE_THEN_RESTORE, 0.05f, 0.9f);
        }

        BatchResult step(Attack attack, TrainingObjective objective, Batch batch) {
            Engine.getInstance().setRandomSeed(SEED + 1);
            return AwpEasyTrain.trainStep(trainer, awp, attack, objective, batch);
        }

        BatchResult step() {
            return step(ATTACK, objective, batch);
        }

        /** A batch like the rig's, with {@code x} and {@code y} transformed. */
        Batch batch(Function<NDArray, NDArray> x, Function<NDArray, NDArray> y) {
            NDManager manager = trainer.getManager().newSubManager();
            NDArray newX = x.apply(batch.getData().head());
            NDArray newY = y.apply(batch.getLabels().head());
            newX.attach(manager);
            newY.attach(manager);
            return new Batch(manager, new NDList(newX), new NDList(newY), 8, null, null, 0, 1);
        }

        List<Pair<String, Parameter>> trainable() {
            List<Pair<String, Parameter>> list = new ArrayList<>();
            for (Pair<String, Parameter> entry : model.getBlock().getParameters()) {
                if (entry.getValue().requiresGradient()) {
                    list.add(entry);
                }
            }
            return list;
        }

        /** The trainable weights' bytes by parameter name (NaN-exact comparisons). */
        Map<String, byte[]> weights() {
            Map<String, byte[]> bytes = new LinkedHashMap<>();
            for (Pair<String, Parameter> entry : trainable()) {
                bytes.put(entry.getKey(), entry.getValue().getArray().toByteArray());
            }
            return bytes;
        }

        /** The names of the parameters the base optimizer updated, in order. */
        List<String> updatedNames() {
            List<String> names = new ArrayList<>();
            for (String id : base.updated) {
                for (Pair<String, Parameter> entry : trainable()) {
                    if (entry.getValue().getId().equals(id)) {
                        names.add(entry.getKey());
                    }
                }
            }
            return names;
        }

        boolean gradientsAreZero() {
            for (Pair<String, Parameter> entry : trainable()) {
                try (NDArray gradient = entry.getValue().getArray().getGradient()) {
                    for (float g : gradient.toFloatArray()) {
                        if (g != 0) {
                            return false;
                        }
                    }
                }
            }
            return true;
        }

        boolean weightsFinite() {
            for (Pair<String, Parameter> entry : trainable()) {
                for (float w : entry.getValue().getArray().toFloatArray()) {
                    if (!Float.isFinite(w)) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** The step works again: finite loss, AWP active, finite weights. */
        void assertNextStepWorks() {
            objective.failAt = -1;
            base.failAt = -1;
            failForwardAt[0] = -1;
            BatchResult next = step();
            assertThat(next.loss()).as("loss of the next step").isFinite();
            assertThat(next.perturbed()).isTrue();
            assertThat(weightsFinite()).as("weights finite after the next step").isTrue();
        }

        @Override
        public void close() {
            batch.close();
            trainer.close();
            model.close();
        }
    }

    /**
     * Every parameter AWP does not perturb is bit-identical to the expected value; every perturbed
     * tensor equals it up to the rounding of the reference's restore {@code (w + v) − v}: each
     * element within {@code 1e-6 · (max|w| + ‖w‖)} (with {@code |v_i| ≤ ‖v‖ = γ‖w‖}, the two
     * roundings are below {@code 2 ulp(|w_i| + |v_i|)}); a perturbation left applied moves elements
     * by {@code ~γ‖w‖ / √n}, thousands of times more on these tensors.
     */
    static void assertSameBytes(Map<String, byte[]> actual, Map<String, byte[]> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String id : expected.keySet()) {
            if (!PERTURBED.test(id) || Arrays.equals(actual.get(id), expected.get(id))) {
                assertThat(Arrays.equals(actual.get(id), expected.get(id)))
                        .as("parameter %s bit-identical to the expected value", id)
                        .isTrue();
                continue;
            }
            float[] a = floats(actual.get(id));
            float[] e = floats(expected.get(id));
            double max = 0;
            double squares = 0;
            for (float value : e) {
                assertThat(value).as("expected value of %s finite", id).isFinite();
                max = Math.max(max, Math.abs(value));
                squares += (double) value * value;
            }
            double tolerance = 1e-6 * (max + Math.sqrt(squares));
            for (int i = 0; i < e.length; i++) {
                assertThat((double) a[i])
                        .as("perturbed parameter %s element %d restored to w", id, i)
                        .isCloseTo(e[i], offset(tolerance));
            }
        }
    }

    /** The rig's tensors AWP perturbs: the conv kernel and the linear weight (rank ≥ 2). */
    static final Predicate<String> PERTURBED =
            name -> name.endsWith("Conv2d_weight") || name.endsWith("Linear_weight");

    static float[] floats(byte[] bytes) {
        FloatBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    @Nested
    class InjectionPoints {

        final AtomicInteger points = new AtomicInteger();
        final AtomicInteger survived = new AtomicInteger();

        @TestFactory
        Stream<DynamicNode> should_never_leave_weights_perturbed_or_non_finite() {
            return Stream.of(
                    DynamicContainer.dynamicContainer("exceptions", exceptions()),
                    DynamicContainer.dynamicContainer("optimizer updates", optimizerUpdates()),
                    DynamicContainer.dynamicContainer("non-finite values", nonFinite()),
                    DynamicContainer.dynamicContainer("bad batches", badBatches()),
                    DynamicTest.dynamicTest("summary", this::summary));
        }

        void summary() {
            System.out.printf(
                    "fault injection: %d points, %d survived%n", points.get(), survived.get());
            assertThat(points.get()).as("injection points").isEqualTo(EXPECTED_POINTS);
            assertThat(survived.get()).as("points survived").isEqualTo(points.get());
        }

        /** A point: arm the fault, step, expect the exception, weights at w, next step works. */
        DynamicTest point(
                String name,
                Consumer<Rig> arm,
                Function<Rig, BatchResult> step,
                Class<? extends Throwable> thrown,
                String messagePart,
                boolean gradientsZeroed) {
            return DynamicTest.dynamicTest(
                    name,
                    () -> {
                        points.incrementAndGet();
                        try (Rig rig = new Rig()) {
                            rig.step(); // momentum state and v buffers exist
                            rig.forwards.set(0);
                            rig.objective.calls = 0;
                            arm.accept(rig);
                            Map<String, byte[]> w = rig.weights();
                            assertThatThrownBy(() -> step.apply(rig))
                                    .isInstanceOf(thrown)
                                    .hasMessageContaining(messagePart);
                            assertSameBytes(rig.weights(), w);
                            if (gradientsZeroed) {
                                assertThat(rig.gradientsAreZero()).as("gradients zeroed").isTrue();
                            }
                            rig.assertNextStepWorks();
                        }
                        survived.incrementAndGet();
                    });
        }

        Stream<DynamicTest> exceptions() {
            List<DynamicTest> tests = new ArrayList<>();
            String[] forwardNames = {"attack forward 1", "attack forward 2", "AWP forward"};
            for (int n = 1; n < FORWARDS_PER_STEP; n++) {
                int at = n;
                tests.add(
                        point(
                                forwardNames[n - 1],
                                rig -> rig.failForwardAt[0] = at,
                                Rig::step,
                                IllegalStateException.class,
                                "injected forward failure",
                                false));
            }
            tests.add(
                    point(
                            "update forward",
                            rig -> rig.failForwardAt[0] = FORWARDS_PER_STEP,
                            Rig::step,
                            IllegalStateException.class,
                            "injected forward failure",
                            false));
            String[] lossNames = {"AWP", "update"};
            for (int n = 1; n <= 2; n++) {
                int at = n;
                tests.add(
                        point(
                                lossNames[n - 1] + " loss",
                                rig -> rig.objective.failAt = at,
                                Rig::step,
                                IllegalStateException.class,
                                "injected loss failure",
                                false));
                tests.add(
                        point(
                                lossNames[n - 1] + " backward",
                                rig -> {
                                    rig.objective.failAt = at;
                                    rig.objective.detach = true;
                                },
                                Rig::step,
                                RuntimeException.class,
                                "",
                                false));
            }
            return tests.stream();
        }

        /**
         * The k-th parameter update inside {@code trainer.step()} throws: parameters updated before
         * it hold the unfaulted step's values, the others (and the k-th) are at {@code w}.
         */
        Stream<DynamicTest> optimizerUpdates() {
            List<DynamicTest> tests = new ArrayList<>();
            for (StepOrder order : StepOrder.values()) {
                for (int k = 1; k <= TRAINABLE; k++) {
                    int failAt = k;
                    tests.add(
                            DynamicTest.dynamicTest(
                                    order + ", update " + k + " of " + TRAINABLE,
                                    () -> {
                                        points.incrementAndGet();
                                        optimizerUpdate(order, failAt);
                                        survived.incrementAndGet();
                                    }));
                    tests.add(
                            DynamicTest.dynamicTest(
                                    order + ", update " + k + " of " + TRAINABLE + " NaN",
                                    () -> {
                                        points.incrementAndGet();
                                        nonFiniteUpdate(order, failAt);
                                        survived.incrementAndGet();
                                    }));
                }
            }
            return tests.stream();
        }

        /**
         * The k-th update comes out NaN, after the earlier ones were applied: the verified step (no
         * copy of the weights) puts every updated weight back, zeroes the gradient arrays that held
         * the values before the step, and the next step works.
         */
        void nonFiniteUpdate(StepOrder order, int poisonAt) {
            try (Rig rig = new Rig(order, 0.05f, 0.9f)) {
                rig.step();
                assertThat(rig.awp.hasStepped(rig.trainer)).as("first step proved").isTrue();
                assertThat(rig.gradientsAreZero()).as("stashes zeroed after a step").isTrue();
                Map<String, byte[]> w = rig.weights();
                rig.base.calls = 0;
                rig.base.poisonAt = poisonAt;
                NonFiniteValueException thrown =
                        (NonFiniteValueException) catchThrowable(rig::step);
                assertThat(thrown).isNotNull();
                assertThat(thrown.quantity()).startsWith("update of ");
                assertThat(rig.base.calls).as("every parameter updated").isEqualTo(TRAINABLE);
                assertSameBytes(rig.weights(), w);
                assertThat(rig.gradientsAreZero()).as("gradients zeroed").isTrue();
                assertThat(rig.awp.hasAppliedPerturbation()).isFalse();
                rig.base.poisonAt = -1;
                rig.assertNextStepWorks();
            }
        }

        void optimizerUpdate(StepOrder order, int failAt) {
            Map<String, byte[]> reference;
            try (Rig unfaulted = new Rig(order, 0.05f, 0.9f)) {
                unfaulted.step();
                unfaulted.step();
                reference = unfaulted.weights();
            }
            try (Rig rig = new Rig(order, 0.05f, 0.9f)) {
                rig.step();
                Map<String, byte[]> w = rig.weights();
                rig.base.calls = 0;
                rig.base.failAt = failAt;
                rig.base.updated.clear();
                assertThatThrownBy(rig::step)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("injected update failure");
                // the trainer's update order follows its parameter map, not the block's order
                List<String> updated = rig.updatedNames();
                assertThat(updated).hasSize(failAt - 1);
                Map<String, byte[]> expected = new LinkedHashMap<>(w);
                for (String name : updated) {
                    expected.put(name, reference.get(name));
                }
                assertSameBytes(rig.weights(), expected);
                rig.assertNextStepWorks();
            }
        }

        Stream<DynamicTest> nonFinite() {
            List<DynamicTest> tests = new ArrayList<>();
            tests.add(nonFiniteX("NaN in x", Float.NaN));
            tests.add(nonFiniteX("infinity in x", Float.POSITIVE_INFINITY));
            for (float value : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
                tests.add(
                        point(
                                value + " in x_adv, with AWP",
                                rig -> {},
                                rig -> rig.step(constantAttack(value), rig.objective, rig.batch),
                                NonFiniteValueException.class,
                                "x_adv must be finite",
                                true));
            }
            tests.add(
                    point(
                            "NaN in x_adv, without AWP",
                            rig -> {},
                            rig -> {
                                Engine.getInstance().setRandomSeed(Rig.SEED + 1);
                                return AwpEasyTrain.trainStep(
                                        rig.trainer,
                                        null,
                                        constantAttack(Float.NaN),
                                        rig.objective,
                                        rig.batch);
                            },
                            NonFiniteValueException.class,
                            "x_adv must be finite",
                            false));
            tests.add(
                    point(
                            "NaN in the labels",
                            rig -> {},
                            rig ->
                                    rig.step(
                                            ATTACK,
                                            rig.objective,
                                            rig.batch(
                                                    NDArray::duplicate,
                                                    y ->
                                                            y.toType(DataType.FLOAT32, false)
                                                                    .add(Float.NaN))),
                            NonFiniteValueException.class,
                            "labels",
                            false));
            tests.add(nanWeight());
            tests.add(learningRate("learning rate NaN", Float.NaN));
            tests.add(learningRate("learning rate 1e30", 1e30f));
            return tests.stream();
        }

        DynamicTest nonFiniteX(String name, float value) {
            return point(
                    name,
                    rig -> {},
                    rig ->
                            rig.step(
                                    ATTACK,
                                    rig.objective,
                                    rig.batch(x -> withFirst(x, value), NDArray::duplicate)),
                    NonFiniteValueException.class,
                    "x must be finite",
                    false);
        }

        /** One weight element NaN before the step: detected at the step, weights as they were. */
        DynamicTest nanWeight() {
            return DynamicTest.dynamicTest(
                    "NaN in a weight before the step",
                    () -> {
                        points.incrementAndGet();
                        try (Rig rig = new Rig()) {
                            rig.step();
                            NDArray conv = rig.trainable().get(0).getValue().getArray();
                            float[] saved = conv.toFloatArray();
                            float[] poisoned = saved.clone();
                            poisoned[0] = Float.NaN;
                            conv.set(FloatBuffer.wrap(poisoned));
                            Map<String, byte[]> w = rig.weights();
                            assertThatThrownBy(rig::step)
                                    .isInstanceOf(NonFiniteValueException.class);
                            assertSameBytes(rig.weights(), w);
                            conv.set(FloatBuffer.wrap(saved));
                            rig.assertNextStepWorks();
                        }
                        survived.incrementAndGet();
                    });
        }

        /**
         * A NaN or huge learning rate: detected at the step that makes a value non-finite, with
         * every weight as before that step; then a sane rate trains again (NaN: the same weights;
         * 1e30: the weights one finite huge step left, so only the detection is asserted).
         */
        DynamicTest learningRate(String name, float lr) {
            return DynamicTest.dynamicTest(
                    name,
                    () -> {
                        points.incrementAndGet();
                        try (Rig rig = new Rig(StepOrder.UPDATE_THEN_RESTORE, 0.05f, 0f)) {
                            rig.step();
                            rig.learningRate[0] = lr;
                            NonFiniteValueException detected = null;
                            Map<String, byte[]> w = null;
                            for (int step = 0; step < 3 && detected == null; step++) {
                                w = rig.weights();
                                try {
                                    rig.step();
                                } catch (NonFiniteValueException e) {
                                    detected = e;
                                }
                            }
                            assertThat(detected).as("detected within 3 steps").isNotNull();
                            assertSameBytes(rig.weights(), w);
                            assertThat(rig.weightsFinite()).isTrue();
                            if (Float.isNaN(lr)) {
                                assertThat(detected.quantity()).startsWith("update of ");
                                rig.learningRate[0] = 0.05f;
                                rig.assertNextStepWorks();
                            }
                        }
                        survived.incrementAndGet();
                    });
        }

        Stream<DynamicTest> badBatches() {
            List<DynamicTest> tests = new ArrayList<>();
            tests.add(
                    badBatch(
                            "pixels in [0, 255]",
                            x -> x.mul(255),
                            NDArray::duplicate,
                            "x must lie in the threat model's bounds [0.0, 1.0] but ranged over"));
            tests.add(
                    badBatch(
                            "inputs in [-1, 1]",
                            x -> x.mul(2).sub(1),
                            NDArray::duplicate,
                            "but ranged over [-"));
            tests.add(
                    badBatch(
                            "labels of shape (B, 3)",
                            NDArray::duplicate,
                            y -> y.reshape(8, 1).repeat(1, 3),
                            "labels must have shape (8) or (8, 1)"));
            tests.add(
                    badBatch(
                            "fractional labels",
                            NDArray::duplicate,
                            y -> y.toType(DataType.FLOAT32, false).add(0.5f),
                            "labels must be integral class indices but one was"));
            tests.add(
                    badBatch(
                            "negative labels",
                            NDArray::duplicate,
                            y -> y.sub(CLASSES),
                            "labels must be >= 0 but one was -"));
            tests.add(
                    badBatch(
                            "labels >= the class count",
                            NDArray::duplicate,
                            y -> y.add(CLASSES),
                            "labels must be in [0, 3) (the logits' class count) but one was"));
            tests.add(
                    point(
                            "labels >= the class count, attack ignoring labels",
                            rig -> {},
                            rig ->
                                    rig.step(
                                            constantAttack(0f),
                                            rig.objective,
                                            rig.batch(NDArray::duplicate, y -> y.add(CLASSES))),
                            IllegalArgumentException.class,
                            "labels must be in [0, 3)",
                            true));
            return tests.stream();
        }

        DynamicTest badBatch(
                String name,
                Function<NDArray, NDArray> x,
                Function<NDArray, NDArray> y,
                String messagePart) {
            return point(
                    name,
                    rig -> {},
                    rig -> rig.step(ATTACK, rig.objective, rig.batch(x, y)),
                    IllegalArgumentException.class,
                    messagePart,
                    false);
        }
    }

    /** A copy of {@code x} whose first element is {@code value}. */
    static NDArray withFirst(NDArray x, float value) {
        float[] values = x.toFloatArray();
        values[0] = value;
        return x.getManager().create(values, x.getShape());
    }
}
