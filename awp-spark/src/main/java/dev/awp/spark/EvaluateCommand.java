package dev.awp.spark;

import dev.awp.attack.ApgdAttack;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.FabAttack;
import dev.awp.attack.SquareAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The application jar's entry point: evaluates a model on a Parquet file of examples with {@link
 * SparkEvaluation} and prints the report. Run it with {@code spark-submit}:
 *
 * <pre>
 * spark-submit --class dev.awp.spark.EvaluateCommand awp-spark-VERSION-app.jar \
 *     --model /shared/models/wrn.pt --data /shared/data/cifar10-test.parquet \
 *     --shape 3x32x32 --classes 10 --attacks autoattack --epsilon 0.031372549 \
 *     --output /shared/runs/wrn-autoattack
 * </pre>
 *
 * <p>{@code --help} lists the options. A bad option prints the problem and the usage and exits with
 * status 2; a failed evaluation (a model that does not load, a row that does not fit) prints awp's
 * message and exits with status 1.
 */
public final class EvaluateCommand {

    /** The usage text. */
    static final String USAGE =
            """
            Usage: spark-submit [spark options] --class dev.awp.spark.EvaluateCommand \\
                       awp-spark-VERSION-app.jar --model PATH --data PATH --shape CxHxW \\
                       --classes N --output DIR [options]

            Evaluates a model's robustness on Apache Spark and prints the report; writes
            report.json, examples.parquet and the committed parts/ in --output (a directory the
            driver and every executor see). Started again on the same --output, it resumes.

              --model PATH          a TorchScript file (.pt), or a directory of DJL parameters
                                    (model.save(dir, name)) with --block-factory
              --block-factory CLASS a ai.djl.nn.BlockFactory with a public no-arg constructor
                                    that builds the block of DJL parameters (put its jar on
                                    the class path, e.g. spark-submit --jars)
              --model-name NAME     the parameters' name (NAME-0000.params); default: the
                                    only name in the directory
              --broadcast-model     ship the model's files to the executors as a Spark
                                    broadcast (read once by the driver) instead of every
                                    executor reading --model
              --data PATH           Parquet with the columns index (long, 0..n-1), label
                                    (int) and image (binary, CHW unsigned bytes)
              --shape CxHxW         the images' channels, height and width, e.g. 3x32x32
              --classes N           the number of classes
              --dataset NAME        the dataset's name in the report; default: --data's name
              --attacks LIST        autoattack (APGD-CE, APGD-T, FAB-T, Square), or a comma
                                    list of apgd-ce, apgd-dlr, apgd-t, fab-t, fab, square;
                                    default autoattack
              --norm linf|l2        the threat model's norm; default linf
              --epsilon E           the radius; default 8/255 (linf) or 128/255 (l2)
              --steps N             the iterations of the APGD and FAB attacks; default 100
              --queries N           the queries of Square; default 5000
              --seed S              the evaluation's seed; default 0
              --batch-size B        examples per batch; default 128
              --partitions P        partitions of the batches; default: Spark's parallelism
              --output DIR          the output directory (required)
              --master URL          Spark's master when not given by spark-submit
              --help                this text
            """;

    private static final Set<String> VALUED =
            Set.of(
                    "model",
                    "block-factory",
                    "model-name",
                    "data",
                    "shape",
                    "classes",
                    "dataset",
                    "attacks",
                    "norm",
                    "epsilon",
                    "steps",
                    "queries",
                    "seed",
                    "batch-size",
                    "partitions",
                    "output",
                    "master");

    private static final Set<String> FLAGS = Set.of("help", "broadcast-model");

    private static final List<String> ATTACKS =
            List.of("apgd-ce", "apgd-dlr", "apgd-t", "fab-t", "fab", "square");

    private EvaluateCommand() {}

    /**
     * Runs the command; exits with status 2 on a bad option, 1 on a failed evaluation.
     *
     * @param args the options ({@code --help} lists them)
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the command.
     *
     * @param args the options
     * @param out where the report goes
     * @param err where problems and the usage go
     * @return 0 on success, 1 if the evaluation failed, 2 on a bad option
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            Map<String, String> options = parse(args);
            if (options.containsKey("help")) {
                out.print(USAGE);
                return 0;
            }
            settings = new Settings(options);
        } catch (BadOption e) {
            err.println("awp-spark: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        SparkSession.Builder builder = SparkSession.builder().appName("awp evaluate");
        if (settings.master != null) {
            builder.master(settings.master);
        }
        SparkSession spark = builder.getOrCreate();
        try {
            EvaluationOutcome outcome =
                    settings.evaluation()
                            .build()
                            .run(spark, spark.read().parquet(settings.data.toString()));
            print(outcome, out);
            return 0;
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            err.println("awp-spark: the evaluation failed: " + e.getMessage());
            return 1;
        } finally {
            if (settings.master != null) {
                spark.stop();
            }
        }
    }

    /** {@code --name value} and {@code --flag} pairs. */
    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new BadOption("expected an option (--name) but found '" + arg + "'");
            }
            String name = arg.substring(2);
            if (FLAGS.contains(name)) {
                options.put(name, "true");
            } else if (VALUED.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new BadOption("--" + name + " needs a value");
                }
                options.put(name, args[++i]);
            } else {
                throw new BadOption("unknown option --" + name);
            }
        }
        return options;
    }

    private static void print(EvaluationOutcome outcome, PrintStream out) {
        RobustnessReport report = outcome.report();
        out.printf(
                Locale.ROOT,
                "%s: %d examples, batch %d, seed %d; %d batches computed, %d reused from"
                        + " committed parts%n",
                report.dataset(),
                report.examples(),
                report.batchSize(),
                report.seed(),
                outcome.computedBatches(),
                outcome.reusedBatches());
        out.printf(
                Locale.ROOT,
                "clean     %s%n",
                percent(report.cleanAccuracy().correct(), report.examples()));
        for (AttackResult attack : report.attacks()) {
            out.printf(
                    Locale.ROOT,
                    "after %-8s %s  (ran on %d, %d queries)%n",
                    attack.name(),
                    percent(attack.cumulativeAccuracy().correct(), report.examples()),
                    attack.attacked(),
                    attack.queries());
        }
        out.printf(
                Locale.ROOT,
                "robust %.2f%% [%.2f, %.2f] (95%% Wilson)%nreport %s%nper-example table %s%n",
                100 * report.robustAccuracy().value(),
                100 * report.robustAccuracy().lower(),
                100 * report.robustAccuracy().upper(),
                outcome.reportFile(),
                outcome.examplesTable());
    }

    private static String percent(int correct, int total) {
        return String.format(
                Locale.ROOT, "%6.2f%% (%d of %d)", 100.0 * correct / total, correct, total);
    }

    /**
     * The attacks of {@code --attacks}, in the threat model, with {@code steps} and {@code queries}
     * when given (0: the preset's).
     */
    static List<Attack> attacks(String list, ThreatModel threatModel, int steps, int queries) {
        List<Attack> attacks = new ArrayList<>();
        for (String token : list.split(",", -1)) {
            String name = token.strip().toLowerCase(Locale.ROOT);
            if (name.equals("autoattack")) {
                for (String part : List.of("apgd-ce", "apgd-t", "fab-t", "square")) {
                    attacks.add(attack(part, threatModel, steps, queries));
                }
            } else {
                attacks.add(attack(name, threatModel, steps, queries));
            }
        }
        return attacks;
    }

    private static Attack attack(String name, ThreatModel threatModel, int steps, int queries) {
        return switch (name) {
            case "apgd-ce" -> apgd(Attacks.apgdCe(), threatModel, steps);
            case "apgd-dlr" -> apgd(Attacks.apgdDlr(), threatModel, steps);
            case "apgd-t" -> apgd(Attacks.apgdT(), threatModel, steps);
            case "fab-t" -> fab(Attacks.fabT(), threatModel, steps);
            case "fab" -> fab(Attacks.fab(), threatModel, steps);
            case "square" -> {
                SquareAttack square = Attacks.square().withThreatModel(threatModel);
                yield queries > 0 ? square.withQueries(queries) : square;
            }
            default ->
                    throw new BadOption(
                            "--attacks must be autoattack or a comma list of "
                                    + String.join(", ", ATTACKS)
                                    + " but held '"
                                    + name
                                    + "'");
        };
    }

    private static Attack apgd(ApgdAttack attack, ThreatModel threatModel, int steps) {
        ApgdAttack placed = attack.withThreatModel(threatModel);
        return steps > 0 ? placed.withSteps(steps) : placed;
    }

    private static Attack fab(FabAttack attack, ThreatModel threatModel, int steps) {
        FabAttack placed = attack.withThreatModel(threatModel);
        return steps > 0 ? placed.withSteps(steps) : placed;
    }

    /** A problem with the command line: printed with the usage, exit status 2. */
    static final class BadOption extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadOption(String message) {
            super(message);
        }
    }

    /** The options, checked. */
    static final class Settings {
        final Path model;
        final String blockFactory;
        final String modelName;
        final boolean broadcast;
        final Path data;
        final int channels;
        final int height;
        final int width;
        final int classes;
        final String dataset;
        final String attackList;
        final String norm;
        final double epsilon;
        final int steps;
        final int queries;
        final long seed;
        final int batchSize;
        final int partitions;
        final Path output;
        final String master;

        Settings(Map<String, String> options) {
            model = existing(options, "model");
            data = existing(options, "data");
            output = Path.of(required(options, "output"));
            blockFactory = options.get("block-factory");
            broadcast = options.containsKey("broadcast-model");
            if (Files.isDirectory(model)) {
                if (blockFactory == null) {
                    throw new BadOption(
                            "--block-factory must name the BlockFactory of the DJL parameters in "
                                    + model);
                }
                modelName = options.getOrDefault("model-name", onlyName(model));
            } else {
                if (blockFactory != null || options.containsKey("model-name")) {
                    throw new BadOption(
                            "--block-factory and --model-name belong to a directory of DJL"
                                    + " parameters, but --model "
                                    + model
                                    + " is a file (read as TorchScript)");
                }
                modelName = null;
            }
            String[] shape = required(options, "shape").split("x", -1);
            if (shape.length != 3) {
                throw new BadOption(
                        "--shape must be CxHxW (e.g. 3x32x32) but was '"
                                + options.get("shape")
                                + "'");
            }
            channels = positive("shape", shape[0], 1);
            height = positive("shape", shape[1], 1);
            width = positive("shape", shape[2], 1);
            classes = positive("classes", required(options, "classes"), 2);
            dataset =
                    options.getOrDefault("dataset", stripExtension(data.getFileName().toString()));
            norm = options.getOrDefault("norm", "linf").toLowerCase(Locale.ROOT);
            if (!norm.equals("linf") && !norm.equals("l2")) {
                throw new BadOption("--norm must be linf or l2 but was '" + norm + "'");
            }
            double defaultEpsilon = norm.equals("linf") ? Attacks.LINF_EPSILON : Attacks.L2_EPSILON;
            epsilon =
                    options.containsKey("epsilon")
                            ? positiveDouble("epsilon", options.get("epsilon"))
                            : defaultEpsilon;
            steps = options.containsKey("steps") ? positive("steps", options.get("steps"), 1) : 0;
            queries =
                    options.containsKey("queries")
                            ? positive("queries", options.get("queries"), 1)
                            : 0;
            seed = number("seed", options.getOrDefault("seed", "0"));
            batchSize = positive("batch-size", options.getOrDefault("batch-size", "128"), 1);
            partitions =
                    options.containsKey("partitions")
                            ? positive("partitions", options.get("partitions"), 1)
                            : 0;
            master = options.get("master");
            attackList = options.getOrDefault("attacks", "autoattack");
            List<Attack> checked = attacks(attackList, threatModel(norm, epsilon), steps, queries);
            if (checked.isEmpty()) {
                throw new BadOption("--attacks must name at least one attack");
            }
        }

        SparkEvaluation.Builder evaluation() {
            String list = attackList;
            String n = norm;
            double eps = epsilon;
            int s = steps;
            int q = queries;
            long sd = seed;
            int b = batchSize;
            SparkEvaluation.Builder builder =
                    SparkEvaluation.builder()
                            .setModel(
                                    modelName == null
                                            ? ModelSource.torchScript(model)
                                            : ModelSource.parameters(
                                                    model, modelName, blockFactory))
                            .setEvaluator(
                                    () ->
                                            RobustnessEvaluator.builder()
                                                    .optAttacks(
                                                            attacks(
                                                                    list,
                                                                    threatModel(n, eps),
                                                                    s,
                                                                    q))
                                                    .optSeed(sd)
                                                    .optBatchSize(b)
                                                    .optNoProgress()
                                                    .build())
                            .setDataset(dataset, channels, height, width, classes)
                            .setOutputDirectory(output);
            if (partitions > 0) {
                builder.optPartitions(partitions);
            }
            if (broadcast) {
                builder.optBroadcastModel(true);
            }
            return builder;
        }

        private static ThreatModel threatModel(String norm, double epsilon) {
            return norm.equals("linf") ? ThreatModel.linf(epsilon) : ThreatModel.l2(epsilon);
        }

        private static String required(Map<String, String> options, String name) {
            String value = options.get(name);
            if (value == null) {
                throw new BadOption("--" + name + " is required");
            }
            return value;
        }

        private static Path existing(Map<String, String> options, String name) {
            Path path = Path.of(required(options, name));
            if (!Files.exists(path)) {
                throw new BadOption("--" + name + " must exist but " + path + " does not");
            }
            return path;
        }

        private static int positive(String name, String value, int min) {
            long parsed = number(name, value);
            if (parsed < min || parsed > Integer.MAX_VALUE) {
                throw new BadOption(
                        "--" + name + " must be an integer >= " + min + " but was '" + value + "'");
            }
            return (int) parsed;
        }

        private static long number(String name, String value) {
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new BadOption("--" + name + " must be an integer but was '" + value + "'");
            }
        }

        private static double positiveDouble(String name, String value) {
            double parsed;
            try {
                parsed = Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                throw new BadOption("--" + name + " must be a number but was '" + value + "'");
            }
            if (!(parsed > 0) || Double.isInfinite(parsed)) {
                throw new BadOption(
                        "--" + name + " must be a finite number > 0 but was '" + value + "'");
            }
            return parsed;
        }

        /** The one {@code NAME} of the {@code NAME-NNNN.params} files in the directory. */
        private static String onlyName(Path directory) {
            Set<String> names = new TreeSet<>();
            try (Stream<Path> files = Files.list(directory)) {
                files.map(f -> f.getFileName().toString())
                        .filter(f -> f.matches(".+-\\d{4}\\.params"))
                        .forEach(f -> names.add(f.substring(0, f.length() - 12)));
            } catch (IOException e) {
                throw new BadOption("--model must be a readable directory but " + e);
            }
            if (names.size() != 1) {
                throw new BadOption(
                        "--model-name must be given: the directory "
                                + directory
                                + " holds "
                                + (names.isEmpty()
                                        ? "no NAME-NNNN.params file"
                                        : "parameters of " + names));
            }
            return names.iterator().next();
        }

        private static String stripExtension(String name) {
            int dot = name.lastIndexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }
    }
}
