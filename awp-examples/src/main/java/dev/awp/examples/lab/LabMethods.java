package dev.awp.examples.lab;

import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.examples.ExampleData;
import dev.awp.perturbation.PerturbationDirection;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.BatchNormForwards;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.PiecewiseSchedule;
import java.util.ArrayList;
import java.util.List;

/** What the lab trains: its methods in order and the specification of each run. */
final class LabMethods {

    private LabMethods() {}

    /** The optimizer every run uses, with its update rule. */
    static String optimizer(LabSettings settings) {
        return spec(new Method(Family.AT, 0, false), 0, settings).optimizer().describe();
    }

    /** PGD-AT and AT-AWP first (with diagnostics), then the rest of the sweep, then the others. */
    static List<Method> methods(LabSettings settings) {
        List<Method> methods = new ArrayList<>();
        if (settings.parts().contains("at") || settings.parts().contains("sweep")) {
            methods.add(new Method(Family.AT, 0, true));
            methods.add(new Method(Family.AT, settings.gamma(), true));
        }
        if (settings.parts().contains("cheap")) {
            // AWP without the extra pass, against the two above
            methods.add(
                    new Method(
                            Family.AT,
                            settings.gamma(),
                            false,
                            PerturbationDirection.LAST_ATTACK_STEP));
        }
        if (settings.parts().contains("sweep")) {
            for (double gamma : settings.gammas()) {
                if (gamma != 0 && gamma != settings.gamma()) {
                    methods.add(new Method(Family.AT, gamma, false));
                }
            }
        }
        if (settings.parts().contains("trades")) {
            methods.add(new Method(Family.TRADES, 0, false));
            methods.add(new Method(Family.TRADES, settings.gamma() / 2, false));
        }
        if (settings.parts().contains("mart")) {
            methods.add(new Method(Family.MART, 0, false));
            methods.add(new Method(Family.MART, settings.gamma() / 2, false));
        }
        return methods;
    }

    static AdversarialTraining spec(Method method, long seed, LabSettings settings) {
        AdversarialTraining recipe = method.family().recipe();
        WeightPerturbation perturbation =
                method.gamma() == 0
                        ? WeightPerturbation.none()
                        : WeightPerturbation.of(method.gamma())
                                .withWarmupEpochs(settings.warmup())
                                .withDirection(method.direction());
        Attack attack = recipe.attack().withBatchNormMode(settings.attackBn());
        AdversarialTraining spec =
                AdversarialTraining.builder()
                        .from(recipe)
                        .weightPerturbation(perturbation)
                        .epochs(settings.epochs())
                        .batchSize(settings.batchSize())
                        .optimizer(OptimizerSpec.sgd(settings.learningRate(), 0.9, 5e-4))
                        .schedule(
                                PiecewiseSchedule.builder()
                                        .boundaries(
                                                List.of(
                                                        settings.decayAt(),
                                                        (1 + settings.decayAt()) / 2))
                                        .build())
                        .attack(attack)
                        .seed(seed)
                        .evaluation(
                                EvaluationPlan.builder()
                                        .everyEpochs(settings.evalEvery())
                                        .subsetSize(settings.testSize())
                                        .trainSubsetSize(settings.trainEvalSize())
                                        .subsetSeed(seed)
                                        .attack(Attacks.pgd20())
                                        .build())
                        .checkpoints(CheckpointPolicy.none())
                        // without BatchNorm the official extra forwards change nothing: skip them
                        .batchNormForwards(
                                settings.model().equals("flat-cnn")
                                        ? BatchNormForwards.MINIMAL
                                        : recipe.batchNormForwards())
                        .build();
        return ExampleData.withEpsilon(spec, settings.epsilon());
    }
}
