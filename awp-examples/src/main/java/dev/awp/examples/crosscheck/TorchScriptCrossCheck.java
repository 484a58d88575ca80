package dev.awp.examples.crosscheck;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.RandomStart;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.perturbation.AppliedPerturbation;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.torchscript.TorchScriptClassifier;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.training.BatchNormForwards;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The Java half of the TorchScript cross-check against PyTorch (issue #15): with the files {@code
 * torchscript_crosscheck.py prepare DIR} wrote, it loads the scripted CNN, computes its eval-mode
 * logits and PGD-20 robust correctness (no random start, as the script's PGD) on the test examples,
 * takes one AT-AWP step (AwpOptimizer in a plain loop) and one TRADES-AWP step ({@code
 * AwpEasyTrain} with the reference's BatchNorm forwards) on the training batch with the adversarial
 * inputs PyTorch made, and exports the result; {@code torchscript_crosscheck.py compare DIR} then
 * compares everything.
 *
 * <p>Run (both halves with {@code ONEDNN_MAX_CPU_ISA=AVX}, as the build runs Java): {@code python3
 * awp-examples/src/main/python/torchscript_crosscheck.py prepare /tmp/ts}, then {@code ./mvnw -B -q
 * -Prun -pl awp-examples -am verify -DskipTests
 * -Dexample.main=dev.awp.examples.crosscheck.TorchScriptCrossCheck -Dexample.args="/tmp/ts"}, then
 * {@code python3 …/torchscript_crosscheck.py compare /tmp/ts}.
 */
public final class TorchScriptCrossCheck {

    private static final float LEARNING_RATE = 0.1f;
    private static final double GAMMA = 0.01;
    private static final double TRADES_GAMMA = 0.005;

    private TorchScriptCrossCheck() {}

    /**
     * Runs the Java half.
     *
     * @param args the directory the Python half prepared
     * @throws IOException if a file cannot be read or written
     * @throws MalformedModelException if the script cannot be loaded
     */
    public static void main(String[] args) throws IOException, MalformedModelException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: TorchScriptCrossCheck DIR");
        }
        runExample(Path.of(args[0]));
    }

    /**
     * Runs the Java half on the files in {@code directory} and writes {@code java_logits}, {@code
     * java_pgd20}, {@code java_pgd20_x_adv}, {@code java_after_step.pt} and {@code
     * java_trades_after_step.pt} there.
     *
     * @param directory the directory the Python half prepared
     * @throws IOException if a file cannot be read or written
     * @throws MalformedModelException if the script cannot be loaded
     */
    public static void runExample(Path directory) throws IOException, MalformedModelException {
        try (Model model = Model.newInstance("crosscheck", "PyTorch");
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            model.load(directory, "model.pt", Map.of("trainParam", "true"));
            TorchScriptClassifier classifier = TorchScriptClassifier.of(model);

            NDArray testX = read(manager, directory.resolve("test_x"));
            NDArray testY =
                    read(manager, directory.resolve("test_y")).toType(DataType.INT64, false);
            AttackTarget target = AttackTarget.of(classifier);
            NDArray logits = target.logits(testX, BatchNormMode.EVAL);
            write(directory.resolve("java_logits"), logits);
            NDArray adversarial =
                    InputAttacks.bind(Attacks.pgd20().withRandomStart(RandomStart.NONE))
                            .generate(target, testX, testY);
            NDArray correct =
                    target.logits(adversarial, BatchNormMode.EVAL)
                            .argMax(1)
                            .eq(testY)
                            .toType(DataType.FLOAT32, false);
            write(directory.resolve("java_pgd20"), correct);
            write(directory.resolve("java_pgd20_x_adv"), adversarial);
            System.out.printf(
                    Locale.ROOT,
                    "Java: PGD-20 robust accuracy %.3f on %d examples%n",
                    correct.mean().getFloat(),
                    correct.size());

            NDArray x = read(manager, directory.resolve("batch_x"));
            NDArray y = read(manager, directory.resolve("batch_y")).toType(DataType.INT64, false);
            NDArray xAdv = read(manager, directory.resolve("batch_x_adv"));
            Optimizer sgd =
                    Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(LEARNING_RATE))
                            .optMomentum(0.9f)
                            .optWeightDecays(5e-4f)
                            .build();
            AwpOptimizer awp = AwpOptimizer.wrap(sgd, WeightPerturbation.of(GAMMA));
            try (Trainer trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                    .optOptimizer(awp))) {
                trainer.initialize(new Shape(1).addAll(x.getShape().slice(1)));
                try (AppliedPerturbation v = awp.perturb(trainer, Objectives.pgdAt(), x, y, xAdv)) {
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray out = trainer.forward(new NDList(xAdv)).head();
                        collector.backward(Losses.crossEntropy(out, y));
                    }
                    trainer.step();
                    System.out.println(
                            "Java: one AT-AWP step, "
                                    + v.perturbedTensors()
                                    + " tensors perturbed");
                }
            }
            classifier.exportTo(directory.resolve("java_after_step.pt"));
            System.out.println("Java: wrote " + directory.resolve("java_after_step.pt"));
            tradesStep(directory, x, y, xAdv);
        }
    }

    /**
     * One TRADES-AWP step from model.pt through {@code AwpEasyTrain} with the reference's BatchNorm
     * forwards, on the adversarial inputs PyTorch made (an attack that returns them).
     */
    private static void tradesStep(Path directory, NDArray x, NDArray y, NDArray xAdv)
            throws IOException, MalformedModelException {
        try (Model model = Model.newInstance("crosscheck-trades", "PyTorch")) {
            model.load(directory, "model.pt", Map.of("trainParam", "true"));
            TorchScriptClassifier classifier = TorchScriptClassifier.of(model);
            Optimizer sgd =
                    Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(LEARNING_RATE))
                            .optMomentum(0.9f)
                            .optWeightDecays(5e-4f)
                            .build();
            AwpOptimizer awp = AwpOptimizer.wrap(sgd, WeightPerturbation.of(TRADES_GAMMA));
            InputAttack given =
                    new InputAttack() {
                        @Override
                        public NDArray generate(
                                AttackTarget target, NDArray clean, NDArray labels) {
                            return xAdv.duplicate();
                        }

                        @Override
                        public ThreatModel threatModel() {
                            return Attacks.pgd20().threatModel();
                        }

                        @Override
                        public String name() {
                            return "x_adv from PyTorch";
                        }
                    };
            try (Trainer trainer =
                            model.newTrainer(
                                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                            .optOptimizer(awp));
                    NDManager batchManager = x.getManager().newSubManager()) {
                trainer.initialize(new Shape(1).addAll(x.getShape().slice(1)));
                Batch batch =
                        new Batch(
                                batchManager,
                                new NDList(x),
                                new NDList(y),
                                (int) x.getShape().get(0),
                                Batchifier.STACK,
                                Batchifier.STACK,
                                0,
                                1);
                AwpEasyTrain.trainStep(
                        trainer,
                        awp,
                        given,
                        Objectives.trades(6),
                        batch,
                        BatchNormForwards.OFFICIAL);
            }
            classifier.exportTo(directory.resolve("java_trades_after_step.pt"));
            System.out.println(
                    "Java: one TRADES-AWP step (AwpEasyTrain, the reference's BatchNorm forwards),"
                            + " wrote "
                            + directory.resolve("java_trades_after_step.pt"));
        }
    }

    private static NDArray read(NDManager manager, Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        long[] shape =
                List.of(lines.get(0).trim().split(" ")).stream()
                        .mapToLong(Long::parseLong)
                        .toArray();
        String[] tokens = lines.get(1).trim().split(" ");
        float[] values = new float[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            values[i] = Float.parseFloat(tokens[i]);
        }
        return manager.create(values, new Shape(shape));
    }

    private static void write(Path file, NDArray array) throws IOException {
        float[] values = array.toType(DataType.FLOAT32, false).toFloatArray();
        String shape =
                IntStream.range(0, array.getShape().dimension())
                        .mapToObj(i -> Long.toString(array.getShape().get(i)))
                        .collect(Collectors.joining(" "));
        String data =
                IntStream.range(0, values.length)
                        .mapToObj(i -> Float.toString(values[i]))
                        .collect(Collectors.joining(" "));
        Files.writeString(file, shape + "\n" + data + "\n", StandardCharsets.UTF_8);
    }
}
