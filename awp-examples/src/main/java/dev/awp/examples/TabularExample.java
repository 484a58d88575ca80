package dev.awp.examples;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.ArrayDataset;
import dev.awp.attack.Attacks;
import dev.awp.attack.InputDomain;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.RobustnessReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Schedules;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Adversarial training on tabular data: a small MLP on synthetic card transactions (12 features on
 * their natural scales — amounts in euros, counts, hours, days, ratios and flags — legitimate or
 * fraudulent) held in a DJL {@link ArrayDataset} and read through {@link
 * ClassificationData#of(String, ai.djl.training.dataset.RandomAccessDataset, int)}. It is trained
 * twice under the same seed, with PGD-AT and with AT-AWP, and each model is evaluated with PGD-20,
 * printing clean and robust accuracy on the test transactions.
 *
 * <p><b>ε and the scale of the features.</b> ε is a single number for all 12 features, in the units
 * of the model's inputs, so the inputs must put the features on a common scale first: a radius of
 * 0.05 means nothing to an amount of €3,000 and everything to a flag. The example feeds the model
 * standardized features (each feature minus its training mean, over its training standard
 * deviation), so ε = {@value #EPSILON} lets the adversary move every feature by a quarter of its
 * standard deviation — some tens of euros of the amount, about an hour and a half of the hour,
 * about a tenth of a flag. Each feature's natural range ({@link #NATURAL_BOUNDS}: no negative
 * amount, distance or count, an hour in [0, 23], ratios and flags in [0, 1]) is standardized the
 * same way into a per-feature {@link InputDomain}, so every perturbed transaction stays possible:
 * the attacks clip to it, and the trainer and the evaluator refuse data outside it, naming the
 * feature.
 *
 * <pre>
 * ./mvnw -q verify -Prun -pl awp-examples -am -DskipTests \
 *     -Dexample.main=dev.awp.examples.TabularExample
 * </pre>
 *
 * Options: {@code --train-size} (default 4000), {@code --test-size} (1000), {@code --epochs} (10),
 * {@code --batch-size} (64), {@code --seed} (0), {@code --quiet} (no progress bars), {@code
 * --help}.
 */
public final class TabularExample {

    /** The number of features of a transaction. */
    public static final int FEATURES = 12;

    /**
     * The L∞ radius of the attacks, in standard deviations of each feature (the inputs are
     * standardized).
     */
    public static final double EPSILON = 0.25;

    // tag::bounds[]
    /**
     * Each feature's natural range, in its own unit: amount (€) [0, 20 000], hour [0, 23], distance
     * from home (km) [0, 20 000], transactions in the last 24 h [0, 50], merchant risk [0, 1], card
     * present, online [0, 1], account age (days) [0, 3650], foreign [0, 1], and three ratios that
     * carry nothing [0, 1].
     */
    public static final InputDomain NATURAL_BOUNDS =
            InputDomain.perFeature(
                    new double[FEATURES], // nothing below 0
                    new double[] {20_000, 23, 20_000, 50, 1, 1, 1, 3_650, 1, 1, 1, 1});

    // end::bounds[]

    private static final Set<String> OPTIONS =
            Set.of("train-size", "test-size", "epochs", "batch-size", "seed");
    private static final Set<String> FLAGS = Set.of("quiet", "help");

    private TabularExample() {}

    /**
     * Runs the example from the command line.
     *
     * @param args the options; see the class documentation
     */
    public static void main(String[] args) {
        ExampleRun.main(args, TabularExample::runExample);
    }

    /**
     * Trains and evaluates both methods and prints their accuracies.
     *
     * @param args the options; see the class documentation
     * @return the PGD-20 evaluation on the test transactions by method name ({@code "PGD-AT"},
     *     {@code "AT-AWP"}); empty with {@code --help}
     * @throws IllegalArgumentException if an option is invalid
     */
    public static Map<String, RobustnessReport> runExample(String... args) {
        ExampleArgs options = ExampleArgs.parse(args, OPTIONS, FLAGS);
        Map<String, RobustnessReport> reports = new LinkedHashMap<>();
        if (options.has("help")) {
            System.out.println(
                    "TabularExample: PGD-AT vs AT-AWP on synthetic card transactions. Options:"
                            + " --train-size N (4000), --test-size N (1000), --epochs N (10),"
                            + " --batch-size N (64), --seed N (0), --quiet, --help");
            return reports;
        }
        int trainSize = options.integer("train-size", 4000, 2);
        int testSize = options.integer("test-size", 1000, 2);
        int epochs = options.integer("epochs", 10, 1);
        int batchSize = options.integer("batch-size", 64, 1);
        int seed = options.integer("seed", 0, 0);
        boolean quiet = options.has("quiet");

        Transactions train = Transactions.generate(trainSize, seed);
        Transactions test = Transactions.generate(testSize, seed + 1_000_003L);
        // tag::domain[]
        // the inputs: each feature standardized with its training mean and standard deviation
        Standardization standardize = Standardization.fit(train.features());
        // the natural ranges, standardized the same way; ε is in standard deviations
        InputDomain domain = standardize.apply(NATURAL_BOUNDS);
        ThreatModel ball = ThreatModel.linf(EPSILON, domain);
        // end::domain[]
        try (NDManager manager = NDManager.newBaseManager()) {
            // tag::adapter[]
            ArrayDataset trainSet =
                    new ArrayDataset.Builder()
                            .setData(
                                    manager.create(
                                            standardize.apply(train.features()),
                                            new Shape(trainSize, FEATURES)))
                            .optLabels(manager.create(train.labels()))
                            // DJL's own loops sample; the adapter draws its seeded order itself
                            .setSampling(batchSize, true)
                            .build();
            ClassificationData trainData = ClassificationData.of("transactions", trainSet, 2);
            // end::adapter[]
            ArrayDataset testSet =
                    new ArrayDataset.Builder()
                            .setData(
                                    manager.create(
                                            standardize.apply(test.features()),
                                            new Shape(testSize, FEATURES)))
                            .optLabels(manager.create(test.labels()))
                            .setSampling(batchSize, false)
                            .build();
            ClassificationData testData = ClassificationData.of("test transactions", testSet, 2);

            // tag::spec[]
            PgdAttack pgd10 = Attacks.pgdTraining().withThreatModel(ball).withStepSize(EPSILON / 4);
            PgdAttack pgd20 = Attacks.pgd20().withThreatModel(ball).withStepSize(EPSILON / 4);
            AdversarialTraining pgdAt =
                    AdversarialTraining.builder()
                            .objective(Objectives.pgdAt())
                            .attack(pgd10)
                            .epochs(epochs)
                            .batchSize(batchSize)
                            .optimizer(OptimizerSpec.sgd(0.05, 0.9, 5e-4))
                            .schedule(Schedules.constant())
                            .evaluation(
                                    EvaluationPlan.builder()
                                            .everyEpochs(epochs)
                                            .subsetSize(testSize)
                                            .trainSubsetSize(Math.min(testSize, trainSize))
                                            .attack(pgd20)
                                            .build())
                            .checkpoints(CheckpointPolicy.none())
                            .seed(seed)
                            .build();
            AdversarialTraining atAwp = pgdAt.withWeightPerturbation(WeightPerturbation.of(0.01));
            // end::spec[]

            Map<String, AdversarialTraining> runs = new LinkedHashMap<>();
            runs.put("PGD-AT", pgdAt);
            runs.put("AT-AWP", atAwp);
            for (Map.Entry<String, AdversarialTraining> run : runs.entrySet()) {
                System.out.println("== " + run.getKey() + " ==");
                try (Model model = Model.newInstance("mlp-" + run.getKey())) {
                    model.setBlock(mlp());
                    // tag::train[]
                    AdversarialTrainer.Builder trainer =
                            AdversarialTrainer.builder(run.getValue())
                                    .setTrainData(trainData)
                                    .setValidationData(testData);
                    if (quiet) {
                        trainer.optNoProgress(); // no progress bar, no summary lines
                    }
                    trainer.build().fit(model);
                    RobustnessReport report =
                            RobustnessEvaluator.builder()
                                    .optAttacks(List.of(pgd20))
                                    .optNoProgress()
                                    .build()
                                    .evaluate(model.getBlock(), testData);
                    // end::train[]
                    reports.put(run.getKey(), report);
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%nMLP on %d synthetic transactions (%.0f%% fraud), %d epochs, batch %d, seed %d;"
                        + " L∞ ε = %s standard deviations (amount ±€%.0f, hour ±%.1f h, account"
                        + " age ±%.0f days) inside each feature's natural range, trained with"
                        + " PGD-10, evaluated on %d test transactions with PGD-20%n",
                trainSize,
                100.0 * train.fraudShare(),
                epochs,
                batchSize,
                seed,
                EPSILON,
                EPSILON * standardize.std()[0],
                EPSILON * standardize.std()[1],
                EPSILON * standardize.std()[7],
                testSize);
        System.out.printf(
                Locale.ROOT, "| %-8s | %8s | %13s |%n", "method", "clean", "PGD-20 robust");
        System.out.println("|----------|----------|---------------|");
        for (Map.Entry<String, RobustnessReport> entry : reports.entrySet()) {
            RobustnessReport report = entry.getValue();
            System.out.printf(
                    Locale.ROOT,
                    "| %-8s | %7.1f%% | %12.1f%% |%n",
                    entry.getKey(),
                    100 * report.cleanAccuracy().value(),
                    100 * report.robustAccuracy().value());
        }
        return reports;
    }

    /** 12 → 64 → 32 → 2: logits of shape (B, 2), as the attacks and objectives expect. */
    static Block mlp() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(64).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(32).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(2).build());
    }

    /**
     * Per-feature standardization, {@code (v − mean) / std}, fitted on the training features; a
     * feature without spread keeps a standard deviation of 1.
     */
    record Standardization(double[] mean, double[] std) {

        static Standardization fit(float[] features) {
            int rows = features.length / FEATURES;
            double[] mean = new double[FEATURES];
            double[] std = new double[FEATURES];
            for (int i = 0; i < features.length; i++) {
                mean[i % FEATURES] += features[i] / (double) rows;
            }
            for (int i = 0; i < features.length; i++) {
                double d = features[i] - mean[i % FEATURES];
                std[i % FEATURES] += d * d / rows;
            }
            for (int j = 0; j < FEATURES; j++) {
                std[j] = std[j] > 0 ? Math.sqrt(std[j]) : 1;
            }
            return new Standardization(mean, std);
        }

        /** The standardized features, row after row. */
        float[] apply(float[] features) {
            float[] standardized = new float[features.length];
            for (int i = 0; i < features.length; i++) {
                standardized[i] = (float) standardize(i % FEATURES, features[i]);
            }
            return standardized;
        }

        /** The bounds of each feature, standardized: the domain of the model's inputs. */
        InputDomain apply(InputDomain natural) {
            double[] lower = natural.lowerBounds();
            double[] upper = natural.upperBounds();
            for (int j = 0; j < FEATURES; j++) {
                lower[j] = standardize(j, lower[j]);
                upper[j] = standardize(j, upper[j]);
            }
            return InputDomain.perFeature(lower, upper);
        }

        private double standardize(int feature, double value) {
            return (value - mean[feature]) / std[feature];
        }
    }

    /**
     * Synthetic card transactions, about 30% fraudulent, each feature in its natural unit and
     * inside {@link #NATURAL_BOUNDS}: amount (€), hour, distance from home (km), transactions in
     * the last day, merchant risk, card present, online, account age (days), foreign, and three
     * ratios that carry nothing.
     */
    record Transactions(float[] features, long[] labels) {

        static Transactions generate(int size, long seed) {
            Random random = new Random(seed);
            float[] features = new float[size * FEATURES];
            long[] labels = new long[size];
            for (int i = 0; i < size; i++) {
                boolean fraud = random.nextDouble() < 0.3;
                labels[i] = fraud ? 1 : 0;
                float[] f = new float[FEATURES];
                double logAmount =
                        fraud
                                ? 4.0 + 1.2 * random.nextGaussian()
                                : 3.2 + 1.0 * random.nextGaussian();
                f[0] = (float) Math.min(Math.exp(logAmount), 20_000); // €
                f[1] =
                        fraud && random.nextDouble() < 0.5
                                ? random.nextInt(6)
                                : 7 + random.nextInt(17); // hour
                f[2] =
                        (float)
                                Math.min(
                                        -(fraud ? 60 : 12) * Math.log(1 - random.nextDouble()),
                                        20_000); // km
                f[3] = Math.min(poisson(random, fraud ? 5 : 2), 50); // transactions, last 24 h
                f[4] =
                        (float)
                                (fraud
                                        ? 0.3 + 0.7 * random.nextDouble()
                                        : 0.6 * random.nextDouble()); // merchant risk
                f[5] = random.nextDouble() < (fraud ? 0.3 : 0.75) ? 1 : 0; // card present
                f[6] = random.nextDouble() < (fraud ? 0.7 : 0.35) ? 1 : 0; // online
                f[7] =
                        (float)
                                (fraud
                                        ? 3650 * Math.pow(random.nextDouble(), 3)
                                        : 3650 * random.nextDouble()); // account age, days
                f[8] = random.nextDouble() < (fraud ? 0.25 : 0.05) ? 1 : 0; // foreign
                for (int j = 9; j < FEATURES; j++) {
                    f[j] = (float) random.nextDouble();
                }
                System.arraycopy(f, 0, features, i * FEATURES, FEATURES);
            }
            return new Transactions(features, labels);
        }

        private static int poisson(Random random, double mean) {
            double limit = Math.exp(-mean);
            double product = random.nextDouble();
            int count = 0;
            while (product > limit) {
                product *= random.nextDouble();
                count++;
            }
            return count;
        }

        double fraudShare() {
            long fraud = java.util.Arrays.stream(labels).sum();
            return (double) fraud / labels.length;
        }
    }
}
