package dev.awp.examples.crosscheck;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Pair;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.SquareAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.IdxReader;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.evaluation.RobustnessReportJson;
import dev.awp.djl.model.SmallCnn;
import dev.awp.examples.ExampleArgs;
import dev.awp.examples.PyTorchThreads;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * awp's side of the AutoAttack cross-check against the reference implementation
 * (fra31/auto-attack): loads the model that {@code autoattack_cross_check.py train} trained and
 * exported (awp's {@link SmallCnn} architecture, weights in DJL's parameter order), checks that its
 * clean predictions are PyTorch's, then runs the standard cascade ({@link
 * Attacks#autoAttack(ThreatModel)}) and each of its attacks alone, Square with several seeds, and
 * untargeted FAB ({@link Attacks#fab()} with the 5 restarts of the reference's "plus" version), and
 * writes one robustness report per run ({@code awp-standard.json}, {@code awp-apgd-ce.json}, …,
 * {@code awp-square-s0.json}, {@code awp-fab.json}) and {@code awp-clean.json} into the directory.
 * {@code autoattack_cross_check.py compare} then compares them with the reference's.
 *
 * <p>The threat model is {@code --norm linf} (default, ε = 0.1) or {@code --norm l2} (default ε =
 * 1.5); {@code --epsilon} overrides ε. The L2 reports carry the norm in their names ({@code
 * awp-l2-standard.json}, …), so both threat models can share one directory.
 *
 * <pre>
 * java ... dev.awp.examples.crosscheck.AutoAttackCrossCheck --dir DIR [--norm linf|l2] [--epsilon E]
 *     [--threads 1] [--batch 500] [--seed 0] [--square-seeds 0,1,2] [--square-queries 5000]
 *     [--runs standard,apgd-ce,apgd-t,fab-t,square,fab]
 * </pre>
 */
public final class AutoAttackCrossCheck {

    private static final double LINF_EPSILON = 0.1;
    private static final double L2_EPSILON = 1.5;

    /** The restarts of untargeted FAB in the reference's "plus" version (and its default). */
    private static final int FAB_RESTARTS = 5;

    private AutoAttackCrossCheck() {}

    /**
     * Runs the cross-check's awp side.
     *
     * @param args see the class documentation
     * @throws IOException if the directory's files cannot be read or the reports written
     */
    public static void main(String[] args) throws IOException {
        runExample(args);
    }

    /**
     * Runs the cross-check's awp side.
     *
     * @param args {@code --dir DIR} (required), {@code --norm linf|l2} (linf), {@code --epsilon E}
     *     (0.1 for L∞, 1.5 for L2), {@code --threads N} (1), {@code --batch N} (500), {@code --seed
     *     N} (0: the cascade and every attack but Square), {@code --square-seeds 0,1,2}, {@code
     *     --square-queries N} (5000, Square alone; the cascade keeps 5,000), {@code --runs} (all:
     *     {@code standard,apgd-ce,apgd-t,fab-t,square,fab})
     * @return the reports written, by file name
     * @throws IOException if the directory's files cannot be read or the reports written
     */
    public static List<Path> runExample(String... args) throws IOException {
        ExampleArgs options =
                ExampleArgs.parse(
                        args,
                        Set.of(
                                "dir",
                                "norm",
                                "epsilon",
                                "threads",
                                "batch",
                                "seed",
                                "square-seeds",
                                "square-queries",
                                "runs"),
                        Set.of());
        Path dir = Path.of(options.string("dir", "."));
        int threads = PyTorchThreads.use(options.integer("threads", 1, 1));
        int batch = options.integer("batch", 500, 1);
        List<String> runs =
                List.of(
                        options.string("runs", "standard,apgd-ce,apgd-t,fab-t,square,fab")
                                .split(","));
        int squareQueries = options.integer("square-queries", 5000, 1);
        String norm = options.string("norm", "linf");
        ThreatModel threatModel;
        String tag;
        if (norm.equals("linf")) {
            threatModel = ThreatModel.linf(options.positive("epsilon", LINF_EPSILON));
            tag = "";
        } else if (norm.equals("l2")) {
            threatModel = ThreatModel.l2(options.positive("epsilon", L2_EPSILON));
            tag = "-l2";
        } else {
            throw new IllegalArgumentException("--norm must be linf or l2 but was " + norm);
        }
        long seed = options.integer("seed", 0, 0);
        List<Integer> seeds = new ArrayList<>();
        for (String value : options.string("square-seeds", "0,1,2").split(",")) {
            seeds.add(Integer.parseInt(value.trim()));
        }
        ImageDataset data =
                IdxReader.read(
                        dir.resolve("examples-images-idx3-ubyte"),
                        dir.resolve("examples-labels-idx1-ubyte"),
                        10);
        List<Path> written = new ArrayList<>();
        try (Model model = Model.newInstance("autoattack-cross-check")) {
            JsonObject meta =
                    JsonParser.parseString(Files.readString(dir.resolve("params.json")))
                            .getAsJsonObject();
            Block block =
                    SmallCnn.builder()
                            .setNumClasses(10)
                            .optWidth(meta.get("width").getAsInt())
                            .optHiddenUnits(meta.get("hidden").getAsInt())
                            .build();
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
            loadWeights(block, dir);
            written.add(checkClean(block, data, dir, model.getNDManager()));
            List<Attack> standard = Attacks.autoAttack(threatModel);
            List<Attack> each = new ArrayList<>(standard);
            // Square alone may run with fewer queries; the standard cascade keeps 5,000
            each.set(3, ((SquareAttack) standard.get(3)).withQueries(squareQueries));
            each.add(Attacks.fab().withThreatModel(threatModel).withRestarts(FAB_RESTARTS));
            List<String> keys = List.of("apgd-ce", "apgd-t", "fab-t", "square", "fab");
            String prefix = "awp" + tag + "-";
            if (runs.contains("standard")) {
                written.add(
                        run(
                                block,
                                data,
                                standard,
                                seed,
                                batch,
                                dir.resolve(prefix + "standard.json")));
            }
            for (int k = 0; k < keys.size(); k++) {
                if (!runs.contains(keys.get(k))) {
                    continue;
                }
                List<Attack> alone = List.of(each.get(k));
                if (keys.get(k).equals("square")) {
                    for (int squareSeed : seeds) {
                        written.add(
                                run(
                                        block,
                                        data,
                                        alone,
                                        squareSeed,
                                        batch,
                                        dir.resolve(prefix + "square-s" + squareSeed + ".json")));
                    }
                } else {
                    written.add(
                            run(
                                    block,
                                    data,
                                    alone,
                                    seed,
                                    batch,
                                    dir.resolve(prefix + keys.get(k) + ".json")));
                }
            }
        }
        System.out.printf(Locale.ROOT, "threads %d, wrote %s%n", threads, written);
        return written;
    }

    private static Path run(
            Block block, ImageDataset data, List<Attack> attacks, long seed, int batch, Path out)
            throws IOException {
        RobustnessReport report =
                RobustnessEvaluator.builder()
                        .optAttacks(attacks)
                        .optBatchSize(batch)
                        .optSeed(seed)
                        .optNoProgress()
                        .build()
                        .evaluate(block, data);
        StringBuilder line =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%s: clean %.1f %%",
                                out.getFileName(),
                                100 * report.cleanAccuracy().value()));
        for (AttackResult result : report.attacks()) {
            line.append(
                    String.format(
                            Locale.ROOT,
                            ", after %s %.1f %% (%.0f s, %.0f queries per example)",
                            result.name(),
                            100 * result.cumulativeAccuracy().value(),
                            result.elapsedSeconds(),
                            result.queriesPerExample()));
        }
        System.out.println(line);
        Files.writeString(out, RobustnessReportJson.toJson(report));
        return out;
    }

    /** Sets the block's parameters, in order, from {@code weights.bin} as listed in params.json. */
    private static void loadWeights(Block block, Path dir) throws IOException {
        JsonObject meta =
                JsonParser.parseString(Files.readString(dir.resolve("params.json")))
                        .getAsJsonObject();
        JsonArray params = meta.getAsJsonArray("params");
        ByteBuffer weights =
                ByteBuffer.wrap(Files.readAllBytes(dir.resolve("weights.bin")))
                        .order(ByteOrder.LITTLE_ENDIAN);
        List<Pair<String, Parameter>> parameters = new ArrayList<>();
        block.getParameters().forEach(parameters::add);
        if (parameters.size() != params.size()) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "params.json must list the block's %d parameters but listed %d",
                            parameters.size(),
                            params.size()));
        }
        for (int i = 0; i < parameters.size(); i++) {
            JsonObject param = params.get(i).getAsJsonObject();
            JsonArray dims = param.getAsJsonArray("shape");
            long[] shape = new long[dims.size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = dims.get(d).getAsLong();
            }
            NDArray array = parameters.get(i).getValue().getArray();
            if (!array.getShape().equals(new Shape(shape))) {
                throw new IllegalArgumentException(
                        String.format(
                                Locale.ROOT,
                                "parameter %d (%s, PyTorch %s) must have shape %s but had %s",
                                i,
                                parameters.get(i).getKey(),
                                param.get("name").getAsString(),
                                array.getShape(),
                                new Shape(shape)));
            }
            float[] values = new float[Math.toIntExact(array.size())];
            weights.asFloatBuffer().get(values);
            weights.position(weights.position() + 4 * values.length);
            array.set(values);
        }
        if (weights.hasRemaining()) {
            throw new IllegalArgumentException(
                    "weights.bin must hold exactly the listed parameters but had "
                            + weights.remaining()
                            + " bytes left");
        }
    }

    /** Compares the clean logits with PyTorch's (logits.bin); writes awp-clean.json. */
    private static Path checkClean(Block block, ImageDataset data, Path dir, NDManager parent)
            throws IOException {
        ByteBuffer reference =
                ByteBuffer.wrap(Files.readAllBytes(dir.resolve("logits.bin")))
                        .order(ByteOrder.LITTLE_ENDIAN);
        int identical = 0;
        int correct = 0;
        double maxDifference = 0;
        int index = 0;
        try (NDManager manager = parent.newSubManager()) {
            AttackTarget target = AttackTarget.of(block);
            for (Batch batch : data.evaluationBatches(manager, 500)) {
                try (batch) {
                    NDArray logits = target.logits(batch.getData().head(), BatchNormMode.EVAL);
                    float[] values = logits.toFloatArray();
                    long[] labels =
                            batch.getLabels().head().toType(DataType.INT64, false).toLongArray();
                    int classes = 10;
                    for (int b = 0; b < labels.length; b++, index++) {
                        int ours = 0;
                        int theirs = 0;
                        float[] ref = new float[classes];
                        for (int c = 0; c < classes; c++) {
                            ref[c] = reference.getFloat((index * classes + c) * 4);
                            float mine = values[b * classes + c];
                            maxDifference = Math.max(maxDifference, Math.abs(mine - ref[c]));
                            if (mine > values[b * classes + ours]) {
                                ours = c;
                            }
                            if (ref[c] > ref[theirs]) {
                                theirs = c;
                            }
                        }
                        identical += ours == theirs ? 1 : 0;
                        correct += ours == labels[b] ? 1 : 0;
                    }
                }
            }
        }
        JsonObject clean = new JsonObject();
        clean.addProperty("examples", index);
        clean.addProperty("identicalPredictions", identical);
        clean.addProperty("cleanAccuracy", (double) correct / index);
        clean.addProperty("maxLogitDifference", maxDifference);
        Path out = dir.resolve("awp-clean.json");
        Files.writeString(out, clean.toString());
        System.out.printf(
                Locale.ROOT,
                "clean: %d of %d predictions identical to PyTorch's, largest logit difference %.3g%n",
                identical,
                index,
                maxDifference);
        if (identical != index) {
            System.out.println("warning: predictions differ; the comparison is not exact");
        }
        return out;
    }
}
