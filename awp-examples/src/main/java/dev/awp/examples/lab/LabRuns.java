package dev.awp.examples.lab;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.awp.attack.Attacks;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.diagnostics.LandscapeResult;
import dev.awp.djl.diagnostics.PerturbationComparison;
import dev.awp.djl.diagnostics.WeightLandscape;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.examples.ExampleData;
import dev.awp.objective.Objectives;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Makes the lab's runs: one run in this JVM, the runs one after another in this JVM, or {@code
 * --jobs} at a time in child JVMs; and the child side of {@code --task}, which leaves its
 * diagnostics for the parent.
 */
final class LabRuns {

    private LabRuns() {}

    /**
     * The child side of {@code --task}: makes one run and leaves, besides its {@code
     * metrics.jsonl}, its diagnostics for the parent in its run directory.
     *
     * @return the run directory
     */
    static Path asChild(
            Task task, ImageDataset train, ImageDataset test, LabSettings settings, Path output)
            throws IOException {
        Run run = run(task, train, test, settings, output);
        writeDiagnostics(runDirectory(output, task), run);
        return runDirectory(output, task);
    }

    /** Makes one run in this JVM: trains, and measures the diagnostics if its method has them. */
    private static Run run(
            Task task, ImageDataset train, ImageDataset test, LabSettings settings, Path output)
            throws IOException {
        Method method = task.method();
        long seed = task.seed();
        AdversarialTraining spec = LabMethods.spec(method, seed, settings);
        long start = System.nanoTime();
        try (Model model = Model.newInstance(task.directoryName())) {
            model.setBlock(LabModels.model(settings, train.numClasses()));
            TrainingReport report =
                    AdversarialTrainer.builder(spec)
                            .setTrainData(train)
                            .setValidationData(test)
                            .optAugmentation(settings.augmentation())
                            .optOutputDirectory(runDirectory(output, task))
                            // a new lab run replaces the previous one's run directories
                            .optOverwrite(true)
                            .build()
                            .fit(model);
            List<EpochMetrics> history = report.epochs();
            LandscapeResult landscape = null;
            PerturbationComparison comparison = null;
            if (method.diagnostics()) {
                ImageDataset probe = test.subset(Math.min(200, test.size()), seed);
                landscape =
                        WeightLandscape.builder()
                                .attack(ExampleData.scaled(Attacks.pgd(5), settings.epsilon()))
                                .alphas(-1, 1, settings.landscapePoints())
                                .seed(seed)
                                .build()
                                .compute(method.name(), model.getBlock(), probe);
                comparison = compare(model, probe, seed, settings.epsilon());
            }
            Run run =
                    Run.of(
                            method,
                            seed,
                            history,
                            landscape,
                            comparison,
                            (System.nanoTime() - start) / 1e9);
            printRun(run);
            return run;
        }
    }

    /** What a run leaves besides its {@code metrics.jsonl}, for the parent of {@code --jobs}. */
    record Diagnostics(
            LandscapeResult landscape, PerturbationComparison comparison, double seconds) {}

    private static final String DIAGNOSTICS = "lab-run.json";

    static Path runDirectory(Path output, Task task) {
        return output.resolve("runs").resolve(task.directoryName());
    }

    /** Makes the runs one after another in this JVM. */
    static List<Run> inProcess(
            List<Task> tasks,
            ImageDataset train,
            ImageDataset test,
            LabSettings settings,
            Path output,
            long start)
            throws IOException {
        List<Run> runs = new ArrayList<>();
        for (Task task : tasks) {
            announce(task, tasks.size(), start);
            runs.add(run(task, train, test, settings, output));
        }
        return runs;
    }

    /**
     * Makes the runs in {@code jobs} child JVMs at a time, each with one PyTorch thread. The
     * engine's random generator is global to a process, so runs on threads of one JVM would draw
     * from it in an unpredictable order; processes keep every run's numbers what they are alone.
     */
    static List<Run> inChildren(List<Task> tasks, int jobs, String[] args, Path output, long start)
            throws IOException {
        String javaCommand =
                ProcessHandle.current()
                        .info()
                        .command()
                        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> jvm =
                new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        jvm.removeIf(a -> a.startsWith("-agentlib") || a.startsWith("-javaagent"));
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<Future<Run>> futures = new ArrayList<>();
            for (Task task : tasks) {
                futures.add(
                        pool.submit(
                                () -> {
                                    announce(task, tasks.size(), start);
                                    return child(task, javaCommand, jvm, args, output);
                                }));
            }
            List<Run> runs = new ArrayList<>();
            for (Future<Run> future : futures) {
                runs.add(future.get());
            }
            return runs;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the runs", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io
                    ? io
                    : new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Run child(
            Task task, String javaCommand, List<String> jvm, String[] args, Path output)
            throws IOException, InterruptedException {
        Path directory = runDirectory(output, task);
        Files.createDirectories(directory);
        Path log = directory.resolve("log.txt");
        List<String> command = new ArrayList<>();
        command.add(javaCommand);
        command.addAll(jvm);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RobustOverfittingLab.class.getName());
        command.addAll(withoutOptions(args, Set.of("--jobs", "--threads", "--task")));
        command.addAll(
                List.of("--task", Integer.toString(task.index()), "--threads", "1", "--jobs", "1"));
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(
                    String.format(
                            Locale.ROOT,
                            "run %s failed (exit %d): see %s",
                            task.directoryName(),
                            exit,
                            log));
        }
        Diagnostics diagnostics =
                GSON.fromJson(Files.readString(directory.resolve(DIAGNOSTICS)), Diagnostics.class);
        Run run =
                Run.of(
                        task.method(),
                        task.seed(),
                        AdversarialTrainer.readMetricsLog(directory),
                        diagnostics.landscape(),
                        diagnostics.comparison(),
                        diagnostics.seconds());
        printRun(run);
        return run;
    }

    /** {@code args} without the given options, in both {@code --x v} and {@code --x=v} forms. */
    static List<String> withoutOptions(String[] args, Set<String> names) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String name =
                    args[i].contains("=") ? args[i].substring(0, args[i].indexOf('=')) : args[i];
            if (names.contains(name)) {
                if (!args[i].contains("=")) {
                    i++;
                }
                continue;
            }
            kept.add(args[i]);
        }
        return kept;
    }

    private static void writeDiagnostics(Path directory, Run run) throws IOException {
        Files.writeString(
                directory.resolve(DIAGNOSTICS),
                GSON.toJson(new Diagnostics(run.landscape(), run.comparison(), run.seconds())));
    }

    private static final Gson GSON =
            new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private static void announce(Task task, int count, long start) {
        System.out.printf(
                Locale.ROOT,
                "== run %d/%d: %s, seed %d (%.1f min so far)%n",
                task.index() + 1,
                count,
                task.method().label(),
                task.seed(),
                (System.nanoTime() - start) / 60e9);
    }

    private static void printRun(Run run) {
        System.out.printf(
                Locale.ROOT,
                "   %s seed %d: best %.1f %% (epoch %d), last %.1f %%, train robust %.1f %%,"
                        + " %.0f s%n",
                run.method().label(),
                run.seed(),
                100 * run.bestRobust(),
                run.bestEpoch(),
                100 * run.lastRobust().value(),
                100 * run.lastTrainRobust(),
                run.seconds());
    }

    /** Random vs adversarial weight perturbation (γ = 0.01) on the probe set. */
    private static PerturbationComparison compare(
            Model model, ImageDataset probe, long seed, double epsilon) {
        try (Trainer trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()));
                NDManager manager = trainer.getManager().newSubManager();
                Batch batch = probe.batch(manager, IntStream.range(0, probe.size()).toArray())) {
            return PerturbationComparison.measure(
                    trainer,
                    Objectives.pgdAt(),
                    ExampleData.scaled(Attacks.pgd(5), epsilon),
                    batch.getData().head(),
                    batch.getLabels().head(),
                    0.01,
                    5,
                    seed);
        }
    }
}
