package dev.awp.examples.benchmark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.awp.djl.model.PreActResNet18;
import dev.awp.djl.training.SpecOptimizers;
import dev.awp.training.OptimizerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cost of SGD with {@code torch.optim.SGD}'s momentum rule ({@link SpecOptimizers}, a few
 * engine calls per parameter) against DJL's fused native {@code sgdUpdate} (which keeps the
 * learning rate in the buffer), side by side in one process: two PreActResNet-18 models, rounds
 * taken in turn, each round a forward and backward on a random batch and a timed {@code
 * trainer.step()}. Prints the median time of a step of each optimizer, their ratio, and the extra
 * time as a share of the forward and backward (an adversarial training step runs about 11 of them).
 *
 * <pre>
 * ./mvnw -q verify -Prun -pl awp-examples -am -DskipTests -Dinvoker.skip \
 *     -Dexample.main=dev.awp.examples.benchmark.SgdRuleBenchmark
 * </pre>
 *
 * Options: {@code --rounds N} (default 30), {@code --batch N} (8), {@code --threads N} (1).
 */
public final class SgdRuleBenchmark {

    private SgdRuleBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args the options above
     * @return the ratio of the medians, torch rule over DJL's
     */
    public static double runExample(String... args) {
        int rounds = option(args, "--rounds", 30);
        int batch = option(args, "--batch", 8);
        int threads = option(args, "--threads", 1);
        // read by DJL's PtEngine when the engine loads: set before the first Engine call
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        Optimizer djl =
                Optimizer.sgd()
                        .setLearningRateTracker(Tracker.fixed(0.01f))
                        .optMomentum(0.9f)
                        .optWeightDecays(5e-4f)
                        .build();
        Optimizer torch =
                SpecOptimizers.of(OptimizerSpec.sgd(0.01, 0.9, 5e-4), Tracker.fixed(0.01f));
        List<Double> djlMs = new ArrayList<>();
        List<Double> torchMs = new ArrayList<>();
        List<Double> passMs = new ArrayList<>();
        Shape input = new Shape(batch, 3, 32, 32);
        Engine.getInstance().setRandomSeed(1);
        try (Model a = model("djl");
                Model b = model("torch");
                Trainer ta = trainer(a, djl, input);
                Trainer tb = trainer(b, torch, input)) {
            for (int round = -3; round < rounds; round++) { // 3 untimed warm-up rounds
                boolean timed = round >= 0;
                step(ta, input, timed ? djlMs : null, timed ? passMs : null);
                step(tb, input, timed ? torchMs : null, null);
            }
        }
        double djlMedian = Stats.of(djlMs).median();
        double torchMedian = Stats.of(torchMs).median();
        double pass = Stats.of(passMs).median();
        System.out.printf(
                Locale.ROOT,
                "PreActResNet-18, batch %d, %d PyTorch thread%s, %d rounds: optimizer step (all"
                        + " parameters)%n  DJL's fused sgdUpdate   %.2f ms%n  torch.optim.SGD's rule  %.2f"
                        + " ms  (ratio %.2f)%n  forward + backward      %.2f ms; the extra %.2f ms is"
                        + " %.2f %% of it, about %.3f %% of an AT step of 11 such passes%n",
                batch,
                threads,
                threads == 1 ? "" : "s",
                rounds,
                djlMedian,
                torchMedian,
                torchMedian / djlMedian,
                pass,
                torchMedian - djlMedian,
                100 * (torchMedian - djlMedian) / pass,
                100 * (torchMedian - djlMedian) / (11 * pass));
        return torchMedian / djlMedian;
    }

    private static int option(String[] args, String name, int defaultValue) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                int value = Integer.parseInt(args[i + 1]);
                if (value < 1) {
                    throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
                }
                return value;
            }
        }
        return defaultValue;
    }

    private static Model model(String name) {
        Model model = Model.newInstance(name);
        model.setBlock(PreActResNet18.builder().setNumClasses(10).build());
        return model;
    }

    private static Trainer trainer(Model model, Optimizer optimizer, Shape input) {
        Trainer trainer =
                model.newTrainer(
                        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                .optOptimizer(optimizer));
        trainer.initialize(input);
        return trainer;
    }

    private static void step(
            Trainer trainer, Shape input, List<Double> stepMs, List<Double> passMs) {
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = scope.randomUniform(0, 1, input);
            NDArray y = scope.randomInteger(0, 10, new Shape(input.get(0)), DataType.INT64);
            long start = System.nanoTime();
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).head();
                collector.backward(trainer.getLoss().evaluate(new NDList(y), new NDList(logits)));
            }
            long middle = System.nanoTime();
            trainer.step();
            long end = System.nanoTime();
            if (stepMs != null) {
                stepMs.add((end - middle) / 1e6);
            }
            if (passMs != null) {
                passMs.add((middle - start) / 1e6);
            }
        }
    }

    /**
     * Runs from the command line.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        runExample(args);
    }
}
