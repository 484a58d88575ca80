package dev.awp.examples.lab;

import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.diagnostics.PerturbationComparison;
import dev.awp.djl.diagnostics.WeightLandscape;
import dev.awp.examples.ExampleArgs;
import dev.awp.examples.ExampleData;
import dev.awp.examples.PyTorchThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The robust-overfitting lab: measures the AWP paper's claims on real images at the scale of a
 * 2-core machine, over several seeds, and says which reproduced.
 *
 * <p>Every method trains the same architecture on the same data with the same schedule (the
 * reference piecewise schedule: ×0.1 and ×0.01 of the learning rate at 50 % and 75 % of the run, or
 * from {@code --decay-at} on), and the same seed gives every method the same initial weights and
 * batch order, so that differences between methods are paired by seed. The claims, and how the lab
 * measures each:
 *
 * <ol>
 *   <li><b>Robust overfitting and AWP curbing it</b>: best and last test robust accuracy (PGD-20),
 *       their difference, and the final train−test robust gap, for PGD-AT and AT-AWP.
 *   <li><b>A flatter weight loss landscape with AWP</b>: the sharpness of the adversarial loss
 *       along a filter-normalized random direction ({@link WeightLandscape}) of the final models.
 *   <li><b>Random vs adversarial weight perturbation</b>: the training-loss increase of each at the
 *       same relative size 0.01 ({@link PerturbationComparison}).
 *   <li><b>A γ sweep</b> ({@code --gammas}, default 0, 0.0025, 0.005, 0.01, 0.02): train robust
 *       accuracy, gap and test robust accuracy as γ grows.
 *   <li><b>TRADES-AWP and MART-AWP against TRADES and MART</b>, in the same setting.
 * </ol>
 *
 * <p>Intervals: over seeds, Student's t 95 % interval of the mean (or of the mean paired
 * difference); over examples, the mean half-width of the runs' 95 % Wilson intervals of test robust
 * accuracy. Each claim's verdict follows a rule fixed before the run and printed with it (an
 * interval of a paired difference that excludes zero); nothing is selected after the fact.
 *
 * <p>Defaults: the embedded Fashion-MNIST subset, 400 training images, 1000 test images (every test
 * evaluation on all of them), L∞ ε = 0.1, no augmentation ({@code --augmentation none}: the images
 * are 28×28 garments, and CIFAR-10's pad-crop-flip is part of the CIFAR recipes, not of this data),
 * a CNN without global pooling and without BatchNorm ({@code --model flat-cnn}, width 16:
 * conv–relu–pool twice, a 256-unit hidden layer), 100 epochs, batch 32, SGD 0.05 / 0.9 / 5e-4 with
 * torch.optim.SGD's momentum rule, PGD-10 training attacks, PGD-20 evaluation every 10 epochs, AWP
 * after a warm-up of 10 epochs (at most half the run), only PGD-AT and AT-AWP ({@code --parts at}:
 * claims 1 to 3), 3 seeds, two runs at a time in child JVMs of one PyTorch thread each ({@code
 * --jobs}).
 *
 * <p>Why a warm-up (measured with this network, no augmentation, one seed): with AWP from the first
 * epoch (warm-up 0, γ = 0.01), AT-AWP stayed at chance, training loss 2.305–2.307 (ln 10 = 2.303)
 * and 10 % accuracy through 15 epochs at learning rate 0.05, while PGD-AT in the same seed was at
 * loss 1.13; switched on at epoch 10, after plain AT had reached loss 1.19, AWP raised the loss to
 * 1.49 and the network kept learning (loss 1.02 at epoch 19, test robust accuracy 52.9 % vs
 * PGD-AT's 53.6 %).
 *
 * <p>Why this budget: the run must be long enough for plain AT to fit its 400 adversarial training
 * images (at 30 epochs the train−test robust gap was 7–9 points), and short enough for the whole
 * lab to take under an hour on a 2-core machine. The 6 runs of 100 epochs took 42 minutes at a load
 * average of 6–16 (7.5 minutes a run on a quieter machine), and PGD-AT ended at 89.5 % train
 * against 59.3 % test robust accuracy (see {@code site/results/lab/analysis.md}); the γ sweep and
 * TRADES/MART at the same length would take several hours ({@code --parts at,sweep,trades,mart}
 * runs them all, with {@code --gammas} for the sweep's values). {@code --quick} shrinks everything
 * to a smoke run of a few seconds per method.
 *
 * <p>The lab's parts: {@link LabSettings} (the command line), {@link LabMethods} and {@link
 * LabModels} (what is trained), {@link LabRuns} (the runs, in this JVM or in child JVMs), {@link
 * LabReport} and {@link LabJson} (what is written) and {@link LabStatistics} (the intervals).
 */
public final class RobustOverfittingLab {

    private RobustOverfittingLab() {}

    /**
     * Runs the lab.
     *
     * @param args {@code --quick} (a smoke run with tiny sizes), {@code --seeds N} (3), {@code
     *     --train N} (400), {@code --test N} (1000), {@code --train-eval N} (training images for
     *     train robust accuracy, 500), {@code --epochs N} (100), {@code --eval-every N} (10),
     *     {@code --landscape-points N} (9), {@code --model flat-cnn|small-cnn} (flat-cnn), {@code
     *     --width N} (16), {@code --batch N} (32), {@code --lr X} (0.05), {@code --decay-at X}
     *     (fraction of the run at which the learning rate drops ×0.1, then ×0.01 halfway to the
     *     end; 0.5), {@code --attack-bn eval|train} (eval), {@code --gamma X} (AT-AWP's γ, 0.01),
     *     {@code --gammas X,Y,..} (the sweep, 0,0.0025,0.005,0.01,0.02), {@code --warmup N} (epochs
     *     without AWP, 10 or half the run if shorter), {@code --parts at,sweep,trades,mart} (at),
     *     {@code --augmentation none|reflect|zero} (the training augmentation: none, CIFAR-10's
     *     reflect-pad 4 crop and flip, or zero-pad 4 crop and flip; none), {@code --dataset
     *     fashion-mnist|synthetic|cifar10|mnist|kmnist} (fashion-mnist: the embedded subset without
     *     {@code --data-dir}), {@code --data-dir DIR}, {@code --epsilon X} (the L∞ budget of every
     *     attack, steps scaled with it; 0.1 for the MNIST family, 8/255 otherwise), {@code --output
     *     DIR} ({@code target/lab}), {@code --threads N} (PyTorch intra-op threads, 1: see {@link
     *     PyTorchThreads}), {@code --jobs N} (runs at a time, each in a child JVM with one thread;
     *     2, at most the cores; 1 runs in this JVM)
     * @return the path of the written report
     * @throws IOException if the data or the report cannot be read or written
     */
    public static Path runExample(String... args) throws IOException {
        ExampleArgs options = LabSettings.parse(args);
        boolean quick = options.has("quick");
        int threads = PyTorchThreads.use(options.integer("threads", 1, 1));
        String command = String.join(" ", args);
        int trainSize = options.integer("train", quick ? 48 : LabSettings.DEFAULT_TRAIN, 1);
        int testSize = options.integer("test", quick ? 32 : LabSettings.DEFAULT_TEST, 1);
        int epochs = options.integer("epochs", quick ? 2 : LabSettings.DEFAULT_EPOCHS, 1);
        ExampleData dataset = ExampleData.parse(options, ExampleData.FASHION_MNIST);
        ExampleData.Splits splits = dataset.read(options, trainSize, testSize, 0);
        ImageDataset train = splits.train(trainSize, 0);
        ImageDataset test = splits.test(testSize, 0);
        double epsilon = options.positive("epsilon", dataset.defaultEpsilon);
        LabSettings settings = LabSettings.of(options, train, test, epochs, epsilon);
        Path output = Path.of(options.string("output", "target/lab"));
        Files.createDirectories(output);
        String dataName = splits.title() + ", L∞ ε = " + ExampleData.describe(epsilon);

        List<Method> methods = LabMethods.methods(settings);
        System.out.printf(
                Locale.ROOT,
                "Robust-overfitting lab: %d methods × %d seeds on %s (%d training, %d test"
                        + " images)%n",
                methods.size(),
                settings.seeds(),
                dataName,
                train.size(),
                test.size());
        System.out.printf(
                Locale.ROOT,
                "%d epochs, AWP from epoch %d; augmentation: %s; optimizer: %s%n",
                settings.epochs(),
                settings.warmup(),
                settings.augmentation().describe(),
                LabMethods.optimizer(settings));
        List<Task> tasks = new ArrayList<>();
        for (int seed = 0; seed < settings.seeds(); seed++) {
            for (Method method : methods) {
                tasks.add(new Task(tasks.size(), method, seed));
            }
        }
        if (options.has("task")) {
            // a child process of --jobs: one run, its files in its run directory, no report
            Task task = tasks.get(options.integer("task", 0, 0));
            return LabRuns.asChild(task, train, test, settings, output);
        }
        int jobs =
                Math.min(
                        tasks.size(),
                        options.integer(
                                "jobs",
                                quick ? 1 : Math.min(2, Runtime.getRuntime().availableProcessors()),
                                1));
        long start = System.nanoTime();
        List<Run> runs =
                jobs == 1
                        ? LabRuns.inProcess(tasks, train, test, settings, output, start)
                        : LabRuns.inChildren(tasks, jobs, args, output, start);
        double minutes = (System.nanoTime() - start) / 60e9;
        Path report = LabReport.write(output, runs, settings, threads, dataName, command, minutes);
        System.out.println(Files.readString(report));
        return report;
    }

    /**
     * Runs the lab from the command line.
     *
     * @param args see {@link #runExample}
     * @throws IOException if the data or the report cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        runExample(args);
    }
}
