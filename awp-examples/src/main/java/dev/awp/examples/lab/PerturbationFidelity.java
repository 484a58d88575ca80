package dev.awp.examples.lab;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.awp.attack.Attacks;
import dev.awp.attack.PgdAttack;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.data.Augmentation;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.perturbation.AwpOptimizer;
import dev.awp.djl.perturbation.PerturbedTensors;
import dev.awp.djl.training.AwpEasyTrain;
import dev.awp.examples.ExampleArgs;
import dev.awp.examples.ExampleData;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.PerturbationDirection;
import dev.awp.perturbation.WeightPerturbation;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How close AWP without the extra pass ({@link PerturbationDirection#LAST_ATTACK_STEP}) comes to
 * the paper's {@code v}, over a training run: SmallCnn on the embedded Fashion-MNIST subset, PGD-AT
 * with AWP γ = 0.01 (the last attack step's, after a one-epoch warm-up), and, at every measured
 * step, before the step, on its batch and its {@code x'}: {@code v} both ways, the cosine between
 * them (all perturbed tensors as one vector, and the smallest per tensor), and the training-mode
 * loss increases {@code L(w + v) − L(w)} of each and their ratio. Every parameter (BatchNorm
 * statistics included) is put back bit for bit after the measurement, so the run trains exactly as
 * it would without it.
 *
 * <p>Beside it, on the same steps, two directions that need no backward pass at all, measured to
 * see whether any could take AWP's cost below the last attack step's (they are not offered): the
 * previous step's update gradient, and a momentum-style average of the update gradients ({@link
 * GradientTrail}); each gives a cosine to the exact {@code v} and a loss increase ratio.
 *
 * <p>Options: {@code --epochs N} (6), {@code --every N} (measure every N-th step, 2), {@code
 * --train N} (400 images), {@code --batch N} (32), {@code --width N} (16), {@code --seed N} (0),
 * {@code --threads N} (1), {@code --output PATH} (JSON; a {@code .txt} summary beside it).
 */
public final class PerturbationFidelity {

    static final double GAMMA = 0.01;

    private PerturbationFidelity() {}

    /**
     * Runs the measurement from the command line.
     *
     * @param args the options
     * @throws IOException if the report cannot be written
     */
    public static void main(String[] args) throws IOException {
        runExample(args);
    }

    /**
     * Runs the measurement and writes the report.
     *
     * @param args the options
     * @return the summary
     * @throws IOException if the report cannot be written
     */
    public static String runExample(String... args) throws IOException {
        ExampleArgs options =
                ExampleArgs.parse(
                        args,
                        Set.of(
                                "epochs", "every", "train", "batch", "width", "seed", "threads",
                                "output"),
                        Set.of());
        int threads = options.integer("threads", 1, 1);
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
        int epochs = options.integer("epochs", 6, 2);
        int every = options.integer("every", 2, 1);
        int trainSize = options.integer("train", 400, 1);
        int batchSize = options.integer("batch", 32, 1);
        int width = options.integer("width", 16, 1);
        long seed = options.integer("seed", 0, 0);
        Path output = Path.of(options.string("output", "target/without-extra-pass/fidelity.json"));
        ExampleData data = ExampleData.FASHION_MNIST;
        ImageDataset train = data.read(options, 0, 0, seed).train(trainSize, seed);
        PgdAttack attack = ExampleData.scaled(Attacks.pgdTraining(), data.defaultEpsilon);
        InputAttack bound = InputAttacks.bind(attack);
        long started = System.nanoTime();

        Engine.getInstance().setRandomSeed((int) seed);
        GradientTrail trail = new GradientTrail(sgd());
        AwpOptimizer cheap =
                AwpOptimizer.wrap(
                        trail,
                        WeightPerturbation.of(GAMMA)
                                .withWarmupEpochs(1)
                                .withDirection(PerturbationDirection.LAST_ATTACK_STEP));
        AwpOptimizer exact = AwpOptimizer.wrap(sgd(), WeightPerturbation.of(GAMMA));
        List<double[]> rows = new ArrayList<>();
        try (Model model = Model.newInstance("fidelity")) {
            model.setBlock(
                    SmallCnn.builder().setNumClasses(train.numClasses()).optWidth(width).build());
            try (Trainer trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                    .optOptimizer(cheap))) {
                trainer.initialize(
                        new Shape(batchSize, train.channels(), train.height(), train.width()));
                int step = 0;
                for (int epoch = 0; epoch < epochs; epoch++) {
                    cheap.setEpoch(epoch);
                    for (Batch batch :
                            train.trainingBatches(
                                    trainer.getManager(),
                                    batchSize,
                                    seed,
                                    epoch,
                                    Augmentation.none())) {
                        try (batch) {
                            if (cheap.isActive() && step % every == 0) {
                                Engine.getInstance().setRandomSeed((int) (seed * 100_003 + step));
                                rows.add(
                                        measure(trainer, cheap, exact, trail, bound, batch, epoch));
                            }
                            Engine.getInstance().setRandomSeed((int) (seed * 100_003 + step));
                            AwpEasyTrain.trainStep(
                                    trainer, cheap, bound, Objectives.pgdAt(), batch);
                            step++;
                        }
                    }
                }
            }
        }
        return write(output, rows, seed, epochs, every, trainSize, started);
    }

    private static Optimizer sgd() {
        return Optimizer.sgd()
                .setLearningRateTracker(Tracker.fixed(0.05f))
                .optMomentum(0.9f)
                .optWeightDecays(5e-4f)
                .build();
    }

    /**
     * One measurement, before the training step on {@code batch}: {@code x'} from the attack on the
     * last attack step's target, then each {@code v}, its loss and its cosine; then every parameter
     * back.
     *
     * @return epoch, cosine, smallest per-tensor cosine, L(w), ΔL exact, ΔL last attack step
     */
    private static double[] measure(
            Trainer trainer,
            AwpOptimizer cheap,
            AwpOptimizer exact,
            GradientTrail trail,
            InputAttack attack,
            Batch batch,
            int epoch) {
        List<Pair<String, Parameter>> perturbed =
                PerturbedTensors.select(
                        trainer.getModel().getBlock(), cheap.perturbation().tensors());
        try (NDManager scope = trainer.getManager().newSubManager()) {
            Map<String, NDArray> saved = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : trainer.getModel().getBlock().getParameters()) {
                NDArray copy = p.getValue().getArray().duplicate();
                copy.attach(scope);
                saved.put(p.getKey(), copy);
            }
            NDArray x = batch.getData().head();
            NDArray y = batch.getLabels().head();
            NDArray xAdv = attack.generate(cheap.attackTarget(trainer, attack), x, y);
            xAdv.attach(scope);
            double loss = loss(trainer, xAdv, y);
            List<float[]> w = values(perturbed);
            List<float[]> vCheap;
            double lossCheap;
            cheap.perturb(trainer, Objectives.pgdAt(), x, y, xAdv);
            try {
                vCheap = differences(values(perturbed), w);
                lossCheap = loss(trainer, xAdv, y);
            } finally {
                cheap.restorePerturbation();
            }
            List<float[]> vExact;
            double lossExact;
            exact.perturb(trainer, Objectives.pgdAt(), x, y, xAdv);
            try {
                vExact = differences(values(perturbed), w);
                lossExact = loss(trainer, xAdv, y);
            } finally {
                exact.restorePerturbation();
            }
            List<float[]> vPrevious = trail.direction(perturbed, w, false);
            List<float[]> vMomentum = trail.direction(perturbed, w, true);
            double lossPrevious = lossAt(trainer, perturbed, w, vPrevious, xAdv, y);
            double lossMomentum = lossAt(trainer, perturbed, w, vMomentum, xAdv, y);
            for (Pair<String, Parameter> p : trainer.getModel().getBlock().getParameters()) {
                p.getValue().getArray().set(new NDIndex("..."), saved.get(p.getKey()));
            }
            double smallest = 1;
            for (int i = 0; i < vExact.size(); i++) {
                smallest =
                        Math.min(smallest, cosine(List.of(vExact.get(i)), List.of(vCheap.get(i))));
            }
            return new double[] {
                epoch,
                cosine(vExact, vCheap),
                smallest,
                loss,
                lossExact - loss,
                lossCheap - loss,
                cosine(vExact, vPrevious),
                lossPrevious - loss,
                cosine(vExact, vMomentum),
                lossMomentum - loss
            };
        }
    }

    /** The objective on {@code x'} in training mode at the current weights. */
    private static double loss(Trainer trainer, NDArray xAdv, NDArray y) {
        try (NDArray logits = trainer.forward(new NDList(xAdv)).head();
                NDArray value = Losses.crossEntropy(logits, y)) {
            return value.getFloat();
        }
    }

    /**
     * The objective on {@code x'} in training mode at {@code w + v} (the perturbed tensors set).
     */
    private static double lossAt(
            Trainer trainer,
            List<Pair<String, Parameter>> perturbed,
            List<float[]> w,
            List<float[]> v,
            NDArray xAdv,
            NDArray y) {
        for (int i = 0; i < perturbed.size(); i++) {
            float[] moved = new float[w.get(i).length];
            for (int k = 0; k < moved.length; k++) {
                moved[k] = w.get(i)[k] + v.get(i)[k];
            }
            perturbed.get(i).getValue().getArray().set(FloatBuffer.wrap(moved));
        }
        double value = loss(trainer, xAdv, y);
        for (int i = 0; i < perturbed.size(); i++) {
            perturbed.get(i).getValue().getArray().set(FloatBuffer.wrap(w.get(i)));
        }
        return value;
    }

    private static List<float[]> values(List<Pair<String, Parameter>> tensors) {
        List<float[]> values = new ArrayList<>();
        for (Pair<String, Parameter> p : tensors) {
            values.add(p.getValue().getArray().toFloatArray());
        }
        return values;
    }

    private static List<float[]> differences(List<float[]> a, List<float[]> b) {
        List<float[]> d = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            float[] x = new float[a.get(i).length];
            for (int k = 0; k < x.length; k++) {
                x[k] = a.get(i)[k] - b.get(i)[k];
            }
            d.add(x);
        }
        return d;
    }

    private static double cosine(List<float[]> a, List<float[]> b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int k = 0; k < a.get(i).length; k++) {
                dot += (double) a.get(i)[k] * b.get(i)[k];
                na += (double) a.get(i)[k] * a.get(i)[k];
                nb += (double) b.get(i)[k] * b.get(i)[k];
            }
        }
        return dot / Math.sqrt(na * nb);
    }

    private static String write(
            Path output,
            List<double[]> rows,
            long seed,
            int epochs,
            int every,
            int trainSize,
            long started)
            throws IOException {
        double[] cosines = rows.stream().mapToDouble(r -> r[1]).sorted().toArray();
        double[] smallest = rows.stream().mapToDouble(r -> r[2]).sorted().toArray();
        double[] ratios = rows.stream().mapToDouble(r -> r[5] / r[4]).sorted().toArray();
        double[] cosPrevious = rows.stream().mapToDouble(r -> r[6]).sorted().toArray();
        double[] ratiosPrevious = rows.stream().mapToDouble(r -> r[7] / r[4]).sorted().toArray();
        double[] cosMomentum = rows.stream().mapToDouble(r -> r[8]).sorted().toArray();
        double[] ratiosMomentum = rows.stream().mapToDouble(r -> r[9] / r[4]).sorted().toArray();
        double exactSum = rows.stream().mapToDouble(r -> r[4]).sum();
        double cheapSum = rows.stream().mapToDouble(r -> r[5]).sum();
        StringBuilder text = new StringBuilder();
        text.append(
                String.format(
                        Locale.ROOT,
                        "AWP without the extra pass: v of the attack's last iteration against the"
                                + " exact v, over a training run%n"
                                + "SmallCnn on %d embedded Fashion-MNIST images, PGD-10 training"
                                + " (L-inf 0.1), gamma %.2f, %d epochs (AWP from epoch 2),"
                                + " measured every %d steps: %d measurements; seed %d%n"
                                + "cosine(v_last, v_exact): median %.4f, min %.4f, max %.4f%n"
                                + "smallest per-tensor cosine: median %.4f, min %.4f%n"
                                + "loss increase ratio (last / exact): median %.3f [q1 %.3f, q3"
                                + " %.3f], min %.3f, max %.3f; ratio of the sums %.3f%n"
                                + "load average at the end %s; %.1f min%n",
                        trainSize,
                        GAMMA,
                        epochs,
                        every,
                        rows.size(),
                        seed,
                        quantile(cosines, 0.5),
                        cosines[0],
                        cosines[cosines.length - 1],
                        quantile(smallest, 0.5),
                        smallest[0],
                        quantile(ratios, 0.5),
                        quantile(ratios, 0.25),
                        quantile(ratios, 0.75),
                        ratios[0],
                        ratios[ratios.length - 1],
                        cheapSum / exactSum,
                        Load.now(),
                        (System.nanoTime() - started) / 6e10));
        text.append(
                String.format(
                        Locale.ROOT,
                        "candidates without any backward pass (measured, not offered), on the same"
                                + " steps:%n"
                                + "  previous update's gradient: cosine to v_exact median %.4f"
                                + " [min %.4f, max %.4f]; loss increase ratio median %.3f [q1 %.3f,"
                                + " q3 %.3f]; ratio of the sums %.3f%n"
                                + "  momentum of update gradients (0.9): cosine median %.4f [min"
                                + " %.4f, max %.4f]; loss increase ratio median %.3f [q1 %.3f, q3"
                                + " %.3f]; ratio of the sums %.3f%n",
                        quantile(cosPrevious, 0.5),
                        cosPrevious[0],
                        cosPrevious[cosPrevious.length - 1],
                        quantile(ratiosPrevious, 0.5),
                        quantile(ratiosPrevious, 0.25),
                        quantile(ratiosPrevious, 0.75),
                        rows.stream().mapToDouble(r -> r[7]).sum() / exactSum,
                        quantile(cosMomentum, 0.5),
                        cosMomentum[0],
                        cosMomentum[cosMomentum.length - 1],
                        quantile(ratiosMomentum, 0.5),
                        quantile(ratiosMomentum, 0.25),
                        quantile(ratiosMomentum, 0.75),
                        rows.stream().mapToDouble(r -> r[9]).sum() / exactSum));
        JsonObject json = new JsonObject();
        json.addProperty("date", Instant.now().toString());
        json.addProperty("summary", text.toString());
        JsonArray measurements = new JsonArray();
        for (double[] r : rows) {
            JsonObject m = new JsonObject();
            m.addProperty("epoch", (int) r[0]);
            m.addProperty("cosine", r[1]);
            m.addProperty("smallest_tensor_cosine", r[2]);
            m.addProperty("loss_at_w", r[3]);
            m.addProperty("increase_exact", r[4]);
            m.addProperty("increase_last_attack_step", r[5]);
            m.addProperty("cosine_previous_update", r[6]);
            m.addProperty("increase_previous_update", r[7]);
            m.addProperty("cosine_update_momentum", r[8]);
            m.addProperty("increase_update_momentum", r[9]);
            measurements.add(m);
        }
        json.add("measurements", measurements);
        if (output.toAbsolutePath().getParent() != null) {
            Files.createDirectories(output.toAbsolutePath().getParent());
        }
        Files.writeString(
                output,
                new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n",
                StandardCharsets.UTF_8);
        Path summary =
                output.resolveSibling(
                        output.getFileName().toString().replaceFirst("\\.json$", "") + ".txt");
        Files.writeString(summary, text.toString(), StandardCharsets.UTF_8);
        System.out.print(text);
        return text.toString();
    }

    private static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int low = (int) Math.floor(position);
        int high = Math.min(sorted.length - 1, low + 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    /** The load average, read where Linux has it. */
    static final class Load {
        private Load() {}

        static String now() {
            try {
                return Arrays.stream(Files.readString(Path.of("/proc/loadavg")).split(" "))
                        .limit(3)
                        .reduce((a, b) -> a + " " + b)
                        .orElse("?");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
