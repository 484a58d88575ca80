package dev.awp.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.awp.attack.Attacks;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AbstractInputAttack;
import dev.awp.djl.attack.AttackBatch;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.djl.objective.Losses;
import dev.awp.djl.training.AdversarialTrainer;
import dev.awp.report.EpochMetrics;
import dev.awp.report.TrainingReport;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Recipes;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Plugs a user-defined attack into the trainer: {@link MomentumIterativeFgsm} (MI-FGSM, Dong et
 * al., CVPR 2018) extends the attack template {@link AbstractInputAttack}, and AT-AWP trains a
 * {@link SmallCnn} on {@link SyntheticShapes} with it as the training attack; evaluation stays
 * PGD-20 (the same L∞ threat model, as the specification requires). The attack describes its
 * settings with {@link InputAttack#parameters()}, so that robustness reports show them.
 *
 * <p>Options: {@code --train-size} (default 1000), {@code --test-size} (200), {@code --epochs} (3),
 * {@code --width} (8), {@code --quiet}, {@code --help}.
 */
public final class CustomAttackExample {

    private static final Set<String> OPTIONS = Set.of("train-size", "test-size", "epochs", "width");
    private static final Set<String> FLAGS = Set.of("quiet", "help");

    private CustomAttackExample() {}

    /**
     * Momentum iterative FGSM under L∞: starting from {@code x}, for {@code steps} steps, \( g
     * \leftarrow \mu g + \nabla / \lVert \nabla \rVert_1 \) per example, \( x' \leftarrow
     * \Pi_{\epsilon}(x' + \alpha\,\mathrm{sign}(g)) \), with the cross-entropy loss and BatchNorm
     * in inference mode.
     */
    // tag::attack[]
    public static final class MomentumIterativeFgsm extends AbstractInputAttack {
        private final ThreatModel threatModel;
        private final int steps;
        private final double decay;

        /**
         * Creates the attack.
         *
         * @param epsilon the L∞ radius, e.g. 8/255
         * @param steps the number of steps, at least 1; the step size is ε / steps
         * @param decay the momentum μ, at least 0 (1.0 in the paper)
         * @throws IllegalArgumentException if an argument is out of range
         */
        public MomentumIterativeFgsm(double epsilon, int steps, double decay) {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1 but was " + steps);
            }
            if (!(decay >= 0)) {
                throw new IllegalArgumentException("decay must be >= 0 but was " + decay);
            }
            this.threatModel = ThreatModel.linf(epsilon);
            this.steps = steps;
            this.decay = decay;
        }

        @Override
        public ThreatModel threatModel() {
            return threatModel;
        }

        @Override
        public String name() {
            return "MI-FGSM-" + steps;
        }

        /**
         * The settings reports write beside the name, type, threat model and BatchNorm mode.
         *
         * @return {@code steps}, {@code stepSize} (ε / steps) and {@code decay}
         */
        @Override
        public Map<String, Object> parameters() {
            Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("steps", steps);
            parameters.put("stepSize", threatModel.epsilon() / steps);
            parameters.put("decay", decay);
            return parameters;
        }

        /**
         * The search alone: the template has checked the batch, switched weight gradients off and
         * opened {@code batch.scope()}, which frees every temporary when the attack returns.
         */
        @Override
        protected NDArray craft(AttackBatch batch) {
            NDArray x = batch.x();
            float alpha = (float) (threatModel.epsilon() / steps);
            NDArray adversarial = x.duplicate();
            NDArray momentum = x.zerosLike();
            Shape perExample = new Shape(batch.size(), 1, 1, 1);
            for (int step = 0; step < steps; step++) {
                NDArray gradient =
                        batch.gradient(
                                adversarial,
                                logits ->
                                        Losses.perExampleCrossEntropy(logits, batch.labels())
                                                .sum());
                NDArray l1 = gradient.abs().sum(new int[] {1, 2, 3}).reshape(perExample);
                momentum = momentum.mul(decay).add(gradient.div(l1.add(1e-12)));
                // onto the ε-ball around x within the input domain (scalar or per-feature bounds)
                adversarial = batch.ball().project(adversarial.add(momentum.sign().mul(alpha)));
            }
            return adversarial;
        }
    }

    // end::attack[]

    /**
     * Runs the example from the command line.
     *
     * @param args the options; see the class documentation
     */
    public static void main(String[] args) {
        ExampleRun.main(args, CustomAttackExample::runExample);
    }

    /**
     * Trains with the custom attack and prints the final accuracies.
     *
     * @param args the options; see the class documentation
     * @return the report, or null with {@code --help}
     * @throws IllegalArgumentException if an option is invalid
     */
    public static TrainingReport runExample(String... args) {
        ExampleArgs options = ExampleArgs.parse(args, OPTIONS, FLAGS);
        if (options.has("help")) {
            System.out.println(
                    "CustomAttackExample: AT-AWP with a user-defined MI-FGSM training attack."
                            + " Options: --train-size N (1000), --test-size N (200), --epochs N"
                            + " (3), --width N (8), --quiet");
            return null;
        }
        int trainSize = options.integer("train-size", 1000, 1);
        int testSize = options.integer("test-size", 200, 1);
        int epochs = options.integer("epochs", 3, 1);
        int width = options.integer("width", 8, 1);
        ImageDataset train = SyntheticShapes.train(trainSize, 0);
        ImageDataset test = SyntheticShapes.test(testSize, 0);

        InputAttack attack = new MomentumIterativeFgsm(Attacks.LINF_EPSILON, 5, 1.0);
        AdversarialTraining spec =
                Recipes.atAwp()
                        .withEpochs(epochs)
                        .withAttack(attack)
                        .withBatchSize(64)
                        .withOptimizer(OptimizerSpec.sgd(0.05, 0.9, 5e-4))
                        .withEvaluation(
                                ExampleRun.evaluation(epochs, Attacks.pgd20(), train, test, 0))
                        .withCheckpoints(CheckpointPolicy.none());
        AdversarialTrainer trainer =
                ExampleRun.trainer(spec, train, test, options.has("quiet")).build();
        TrainingReport report =
                ExampleRun.fit(
                        trainer,
                        "MI-FGSM AT-AWP",
                        SmallCnn.builder().setNumClasses(10).optWidth(width).build());
        EpochMetrics last = ExampleRun.lastEpoch(report);
        System.out.printf(
                Locale.ROOT,
                "trained with %s + AWP: clean %.1f%%, PGD-20 robust %.1f%% (%.0f s)%n",
                attack.name(),
                100 * last.cleanAccuracy().orElseThrow().value(),
                100 * last.robustAccuracy().orElseThrow().value(),
                report.totalSeconds());
        return report;
    }
}
