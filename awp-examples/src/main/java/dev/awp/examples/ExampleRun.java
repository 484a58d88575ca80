package dev.awp.examples;

import ai.djl.Model;
import ai.djl.nn.Block;
import dev.awp.attack.Attack;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.LearningRateSchedule;
import dev.awp.training.Schedules;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The set-up the user-facing examples share, written once: the command-line wrapper, the short
 * run's schedule and evaluation, the trainer with or without progress, and the printed results. The
 * lines a reader should see (the recipe, the data adapter, the trainer in the site's snippets) stay
 * in the examples themselves.
 */
final class ExampleRun {

    private ExampleRun() {}

    /**
     * Runs an example from the command line: an invalid option or a missing or malformed dataset
     * prints {@code error: <message>} and exits with status 2, without a stack trace.
     *
     * @param args the command line
     * @param example the example's {@code runExample}
     */
    static void main(String[] args, Consumer<String[]> example) {
        try {
            example.accept(args);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * The schedule of a short run, which is still learning at its end: the rate is kept, then
     * divided by 10 for the last epoch only (constant for a single epoch).
     *
     * @param epochs the epochs of the run, at least 1
     * @return the schedule
     */
    static LearningRateSchedule shortRunSchedule(int epochs) {
        return epochs > 1 ? Schedules.multiStep(0.1, epochs - 1) : Schedules.constant();
    }

    /**
     * The evaluation of an example run: every {@code everyEpochs} epochs, the attack on the whole
     * test set and on as many training examples (for the robust gap), subsets drawn with {@code
     * seed}.
     *
     * @param everyEpochs how often it runs, in epochs
     * @param attack the evaluation attack
     * @param train the training data
     * @param test the test data
     * @param seed the seed of the subsets
     * @return the plan
     */
    static EvaluationPlan evaluation(
            int everyEpochs,
            Attack attack,
            ClassificationData train,
            ClassificationData test,
            long seed) {
        return EvaluationPlan.builder()
                .everyEpochs(everyEpochs)
                .subsetSize(test.size())
                .trainSubsetSize(Math.min(test.size(), train.size()))
                .subsetSeed(seed)
                .attack(attack)
                .build();
    }

    /**
     * The trainer of an example: the spec on the training data, validated on the test data, without
     * progress bars or summary lines when {@code quiet}.
     *
     * @param spec the training spec
     * @param train the training data
     * @param test the validation data
     * @param quiet whether to switch progress off
     * @return the builder, for further options
     */
    static AdversarialTrainer.Builder trainer(
            AdversarialTraining spec,
            ClassificationData train,
            ClassificationData test,
            boolean quiet) {
        AdversarialTrainer.Builder builder =
                AdversarialTrainer.builder(spec).setTrainData(train).setValidationData(test);
        if (quiet) {
            builder.optNoProgress();
        }
        return builder;
    }

    /**
     * Fits a fresh model of the given block, under a {@code == name ==} heading, and closes it.
     *
     * @param trainer the trainer
     * @param name the run's name, e.g. {@code "AT-AWP"}
     * @param block the untrained network
     * @return the training report
     */
    static TrainingReport fit(AdversarialTrainer trainer, String name, Block block) {
        System.out.println();
        System.out.println("== " + name + " ==");
        try (Model model = Model.newInstance(name.toLowerCase(Locale.ROOT))) {
            model.setBlock(block);
            return trainer.fit(model);
        }
    }

    /**
     * The last epoch of a report, which the example runs evaluate.
     *
     * @param report the report
     * @return its last epoch
     */
    static EpochMetrics lastEpoch(TrainingReport report) {
        return report.epochs().get(report.epochs().size() - 1);
    }

    /**
     * The comparison table: one row per method, from the last epoch's evaluation. It holds no
     * times, so that the same seed prints the same table; see {@link #times}.
     *
     * @param reports the reports by method name
     * @return the Markdown table, one line per method after the header
     */
    static String table(Map<String, TrainingReport> reports) {
        StringBuilder table = new StringBuilder();
        table.append(
                String.format(
                        Locale.ROOT,
                        "| %-8s | %8s | %13s | %14s | %15s |%n",
                        "method",
                        "clean",
                        "PGD-20 robust",
                        "train robust",
                        "robust gap"));
        table.append(
                "|----------|----------|---------------|----------------|-----------------|\n");
        for (Map.Entry<String, TrainingReport> entry : reports.entrySet()) {
            EpochMetrics last = lastEpoch(entry.getValue());
            table.append(
                    String.format(
                            Locale.ROOT,
                            "| %-8s | %7.1f%% | %12.1f%% | %13s | %15s |%n",
                            entry.getKey(),
                            100 * last.cleanAccuracy().orElseThrow().value(),
                            100 * last.robustAccuracy().orElseThrow().value(),
                            last.trainRobustAccuracy()
                                    .map(a -> String.format(Locale.ROOT, "%.1f%%", 100 * a.value()))
                                    .orElse("-"),
                            last.robustGap()
                                    .map(g -> String.format(Locale.ROOT, "%+.1f points", 100 * g))
                                    .orElse("-")));
        }
        return table.toString();
    }

    /**
     * The wall time of each run, e.g. {@code "time: PGD-AT 95 s, AT-AWP 110 s"}.
     *
     * @param reports the reports by method name
     * @return the line
     */
    static String times(Map<String, TrainingReport> reports) {
        StringBuilder times = new StringBuilder("time:");
        for (Map.Entry<String, TrainingReport> entry : reports.entrySet()) {
            times.append(times.length() > "time:".length() ? ", " : " ")
                    .append(entry.getKey())
                    .append(String.format(Locale.ROOT, " %.0f s", entry.getValue().totalSeconds()));
        }
        return times.toString();
    }
}
