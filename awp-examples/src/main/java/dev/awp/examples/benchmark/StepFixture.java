package dev.awp.examples.benchmark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.attack.Attacks;
import dev.awp.attack.PgdAttack;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.model.Normalization;
import dev.awp.djl.model.PreActResNet18;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.perturbation.AppliedPerturbation;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.perturbation.PerturbedTensors;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.objective.Objective;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.PerturbationDirection;
import dev.awp.perturbation.WeightPerturbation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model, its trainer (SGD lr 0.01, momentum 0.9, weight decay 5e-4, wrapped in an {@link
 * AwpOptimizer} with γ = 0.01 and a one-epoch warm-up) and one fixed batch of random 32×32 RGB
 * images: everything a timed step needs. AT steps run {@link AwpEasyTrain#trainStep} with the
 * optimizer in its warm-up (epoch 0: no perturbation), AT-AWP steps after it (epoch 1), so both
 * take the same verified optimizer step (what {@code AdversarialTrainer} does for plain AT) on the
 * same model, trainer and batch, and can be interleaved.
 */
final class StepFixture implements AutoCloseable {

    static final int CLASSES = 10;
    static final double GAMMA = 0.01;

    final String label;
    final String pythonModel;
    final int width;
    final int batchSize;
    final Model model;
    final Trainer trainer;
    final AwpOptimizer awp;
    final Batch batch;
    final PgdAttack attackSpec;
    final InputAttack attack;
    final Objective objective = Objectives.pgdAt();

    private StepFixture(
            String label,
            String pythonModel,
            int width,
            Block block,
            int batchSize,
            int attackSteps,
            long seed,
            PerturbationDirection direction) {
        this.label = label;
        this.pythonModel = pythonModel;
        this.width = width;
        this.batchSize = batchSize;
        Engine.getInstance().setRandomSeed((int) seed);
        Optimizer sgd =
                Optimizer.sgd()
                        .setLearningRateTracker(Tracker.fixed(0.01f))
                        .optMomentum(0.9f)
                        .optWeightDecays(5e-4f)
                        .build();
        awp =
                AwpOptimizer.wrap(
                        sgd,
                        WeightPerturbation.of(GAMMA).withWarmupEpochs(1).withDirection(direction));
        model = Model.newInstance(label);
        model.setBlock(block);
        trainer =
                model.newTrainer(
                        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                .optOptimizer(awp));
        Shape input = new Shape(batchSize, 3, 32, 32);
        trainer.initialize(input);
        NDManager data = trainer.getManager().newSubManager();
        NDArray x = data.randomUniform(0f, 1f, input);
        long[] labels = new long[batchSize];
        for (int i = 0; i < batchSize; i++) {
            labels[i] = i % CLASSES;
        }
        NDArray y = data.create(labels);
        batch = new Batch(data, new NDList(x), new NDList(y), batchSize, null, null, 0, 1);
        attackSpec = Attacks.pgdTraining().withSteps(attackSteps);
        attack = InputAttacks.bind(attackSpec);
    }

    /** SmallCnn of the given width (128 hidden units), after the CIFAR-10 normalization. */
    static StepFixture smallCnn(int width, int batchSize, int attackSteps, long seed) {
        return smallCnn(width, batchSize, attackSteps, seed, PerturbationDirection.EXACT);
    }

    /** SmallCnn, with AWP's direction {@code direction}. */
    static StepFixture smallCnn(
            int width, int batchSize, int attackSteps, long seed, PerturbationDirection direction) {
        Block block =
                SmallCnn.builder()
                        .setNumClasses(CLASSES)
                        .optWidth(width)
                        .optNormalization(Normalization.cifar10())
                        .build();
        return new StepFixture(
                "SmallCnn w" + width + " b" + batchSize,
                "smallcnn",
                width,
                block,
                batchSize,
                attackSteps,
                seed,
                direction);
    }

    /** PreActResNet-18, after the CIFAR-10 normalization. */
    static StepFixture preActResNet18(int batchSize, int attackSteps, long seed) {
        return preActResNet18(batchSize, attackSteps, seed, PerturbationDirection.EXACT);
    }

    /** PreActResNet-18, with AWP's direction {@code direction}. */
    static StepFixture preActResNet18(
            int batchSize, int attackSteps, long seed, PerturbationDirection direction) {
        Block block =
                PreActResNet18.builder()
                        .setNumClasses(CLASSES)
                        .optNormalization(Normalization.cifar10())
                        .build();
        return new StepFixture(
                "PreActResNet-18 b" + batchSize,
                "preactresnet18",
                0,
                block,
                batchSize,
                attackSteps,
                seed,
                direction);
    }

    Block block() {
        return model.getBlock();
    }

    NDArray x() {
        return batch.getData().head();
    }

    NDArray y() {
        return batch.getLabels().head();
    }

    /** Trainable parameter count and bytes. */
    long[] parameterCountAndBytes() {
        long count = 0;
        long bytes = 0;
        for (Parameter parameter : block().getParameters().values()) {
            if (parameter.requiresGradient()) {
                NDArray array = parameter.getArray();
                count += array.size();
                bytes += array.size() * array.getDataType().getNumOfBytes();
            }
        }
        return new long[] {count, bytes};
    }

    /** The number and bytes of the tensors AWP perturbs. */
    long[] perturbedCountAndBytes() {
        var selected = PerturbedTensors.select(block(), awp.perturbation().tensors());
        long bytes = 0;
        for (var entry : selected) {
            NDArray array = entry.getValue().getArray();
            bytes += array.size() * array.getDataType().getNumOfBytes();
        }
        return new long[] {selected.size(), bytes};
    }

    // --- whole steps, through the library ----------------------------------------------------

    /** One PGD-AT step ({@link AwpEasyTrain#trainStep}, AWP in its warm-up), in milliseconds. */
    double at() {
        awp.setEpoch(0);
        long start = System.nanoTime();
        AwpEasyTrain.trainStep(trainer, awp, attack, objective, batch);
        return millis(start);
    }

    /** One AT-AWP step ({@link AwpEasyTrain#trainStep} with AWP), in milliseconds. */
    double atAwp() {
        awp.setEpoch(1);
        long start = System.nanoTime();
        AwpEasyTrain.trainStep(trainer, awp, attack, objective, batch);
        return millis(start);
    }

    // --- the cost of the step's guards and of its rollback, one switch at a time ---------------

    /**
     * One AT-AWP step with the guards switched as {@code guards} says, in milliseconds: {@link
     * Guards#NONE} is the step written out without a check (attack, perturb, forward and backward,
     * {@code trainer.step()}); {@link Guards#CHECKS} is {@link AwpEasyTrain#trainBatch} (the batch,
     * label and gradient checks) followed by {@code trainer.step()}; {@link Guards#VERIFIED} is
     * {@link AwpEasyTrain#trainStep} (the checks and the verified optimizer step, which keeps the
     * values before the update in the gradient arrays); {@link Guards#COPY} is the checks, a copy
     * of every trainable weight, {@code trainer.step()} and a finiteness check of the weights (what
     * the step did before the verified step).
     */
    double guarded(Guards guards) {
        awp.setEpoch(1);
        long start = System.nanoTime();
        switch (guards) {
            case NONE -> phases(true);
            case CHECKS -> {
                AwpEasyTrain.trainBatch(trainer, awp, attack, objective, batch);
                trainer.step();
            }
            case VERIFIED -> AwpEasyTrain.trainStep(trainer, awp, attack, objective, batch);
            case COPY -> {
                try (NDManager scope = trainer.getManager().newSubManager()) {
                    List<NDArray> copies = new ArrayList<>();
                    for (NDArray weight : trainableArrays()) {
                        NDArray copy = weight.duplicate();
                        copy.attach(scope);
                        copies.add(copy);
                    }
                    AwpEasyTrain.trainBatch(trainer, awp, attack, objective, batch);
                    trainer.step();
                    NDList sums = new NDList();
                    for (NDArray weight : trainableArrays()) {
                        NDArray sum = weight.sum();
                        sum.attach(scope);
                        sums.add(sum);
                    }
                    if (!Float.isFinite(NDArrays.stack(sums).sum().getFloat())) {
                        throw new IllegalStateException("non-finite update in the benchmark");
                    }
                }
            }
            default -> throw new AssertionError(guards);
        }
        return millis(start);
    }

    /** Which of the step's guards {@link #guarded} runs. */
    enum Guards {
        /** No check at all: the step written out. */
        NONE,
        /** The batch, label and gradient checks, then a plain {@code trainer.step()}. */
        CHECKS,
        /** {@link AwpEasyTrain#trainStep}: the checks and the verified optimizer step. */
        VERIFIED,
        /** The checks and a copy of every weight before a plain step (the former rollback). */
        COPY
    }

    // --- the same steps, phase by phase -------------------------------------------------------

    /**
     * One step done as {@link AwpEasyTrain#trainStep} does it, with a clock between the phases:
     * {@code attack}, {@code awp_v} (computing v and adding it), {@code update_fwd_bwd} (forward
     * and backward at w + v), {@code step} (the optimizer step, which also restores w).
     */
    Map<String, Double> phases(boolean withAwp) {
        awp.setEpoch(withAwp ? 1 : 0);
        Map<String, Double> phases = new LinkedHashMap<>();
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = x().stopGradient();
            x.attach(scope);
            NDArray y = y().stopGradient();
            y.attach(scope);
            long start = System.nanoTime();
            NDArray xAdv = attack.generate(AttackTarget.of(trainer), x, y);
            start = lap(phases, "attack", start);
            try (AppliedPerturbation v =
                    withAwp
                            ? awp.perturb(trainer, objective, x, y, xAdv)
                            : AppliedPerturbation.none()) {
                if (withAwp) {
                    start = lap(phases, "awp_v", start);
                }
                NDArray loss;
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    loss = Losses.crossEntropy(trainer.forward(new NDList(xAdv)).head(), y);
                    collector.backward(loss);
                }
                start = lap(phases, "update_fwd_bwd", start);
                trainer.step();
                lap(phases, "step", start);
                loss.getFloat();
            }
        }
        return phases;
    }

    /** One training-mode forward and backward (weight gradients on), in milliseconds. */
    double forwardBackward() {
        double elapsed;
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = x().stopGradient();
            x.attach(scope);
            long start = System.nanoTime();
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).head();
                collector.backward(Losses.crossEntropy(logits, y()));
            }
            elapsed = millis(start);
        }
        zeroGradients();
        return elapsed;
    }

    // --- attacks ------------------------------------------------------------------------------

    /** Our PGD pass (the library's attack: input gradients only), in milliseconds. */
    double attackOurs() {
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = x().stopGradient();
            x.attach(scope);
            NDArray y = y().stopGradient();
            y.attach(scope);
            long start = System.nanoTime();
            attack.generate(AttackTarget.of(trainer), x, y);
            return millis(start);
        }
    }

    /**
     * The same PGD pass written as a plain loop in this class, in milliseconds: with {@code
     * weightGradients} the weights keep {@code requires_grad}, so every backward also computes (and
     * accumulates) the weight gradients, as the reference code's attack does; without, the weights'
     * flags are switched off once around the loop, which is what the library does.
     */
    double attackLoop(boolean weightGradients) {
        List<NDArray> trainable = trainableArrays();
        double elapsed;
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = x().stopGradient();
            x.attach(scope);
            NDArray y = y();
            float eps = (float) attackSpec.threatModel().epsilon();
            float alpha = (float) attackSpec.stepSize();
            long start = System.nanoTime();
            if (!weightGradients) {
                trainable.forEach(a -> a.setRequiresGradient(false));
            }
            try {
                NDArray lower = x.sub(eps).maximum(0f);
                NDArray upper = x.add(eps).minimum(1f);
                NDArray adv = x.add(scope.randomUniform(-eps, eps, x.getShape())).clip(0f, 1f);
                for (int step = 0; step < attackSpec.steps(); step++) {
                    NDArray leaf = adv.stopGradient();
                    leaf.setRequiresGradient(true);
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray logits = trainer.forward(new NDList(leaf)).head();
                        collector.backward(Losses.perExampleCrossEntropy(logits, y).sum());
                    }
                    NDArray gradient = leaf.getGradient();
                    adv = leaf.add(gradient.sign().mul(alpha)).maximum(lower).minimum(upper);
                }
            } finally {
                if (!weightGradients) {
                    trainable.forEach(a -> a.setRequiresGradient(true));
                }
            }
            elapsed = millis(start);
        }
        if (weightGradients) {
            zeroGradients();
        }
        return elapsed;
    }

    // --- bookkeeping the library repeats per step --------------------------------------------

    /** Mean time of one {@code block.getParameters()} call, in milliseconds. */
    double getParametersMillis(int calls) {
        long start = System.nanoTime();
        int sink = 0;
        for (int i = 0; i < calls; i++) {
            sink += block().getParameters().size();
        }
        if (sink < 0) {
            throw new AssertionError();
        }
        return millis(start) / calls;
    }

    /** Mean time of switching every trainable weight's {@code requires_grad} off and on. */
    double toggleGradientsMillis(int rounds) {
        List<NDArray> trainable = trainableArrays();
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            for (NDArray array : trainable) {
                if (array.hasGradient()) {
                    array.setRequiresGradient(false);
                }
            }
            for (NDArray array : trainable) {
                array.setRequiresGradient(true);
            }
        }
        return millis(start) / rounds;
    }

    /** Mean time of asking every trainable weight {@code hasGradient()} (a JNI call each). */
    double hasGradientMillis(int rounds) {
        List<NDArray> trainable = trainableArrays();
        long start = System.nanoTime();
        int sink = 0;
        for (int i = 0; i < rounds; i++) {
            for (NDArray array : trainable) {
                sink += array.hasGradient() ? 1 : 0;
            }
        }
        if (sink < 0) {
            throw new AssertionError();
        }
        return millis(start) / rounds;
    }

    List<NDArray> trainableArrays() {
        List<NDArray> arrays = new ArrayList<>();
        for (Parameter parameter : block().getParameters().values()) {
            if (parameter.requiresGradient() && parameter.isInitialized()) {
                arrays.add(parameter.getArray());
            }
        }
        return arrays;
    }

    void zeroGradients() {
        for (NDArray array : trainableArrays()) {
            try (NDArray gradient = array.getGradient()) {
                gradient.subi(gradient);
            }
        }
    }

    private static long lap(Map<String, Double> phases, String name, long start) {
        long now = System.nanoTime();
        phases.put(name, (now - start) / 1e6);
        return now;
    }

    static double millis(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public void close() {
        batch.close();
        trainer.close();
        model.close();
    }
}
