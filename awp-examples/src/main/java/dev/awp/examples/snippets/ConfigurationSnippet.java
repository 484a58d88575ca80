package dev.awp.examples.snippets;

import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.PerturbationDirection;
import dev.awp.perturbation.StepOrder;
import dev.awp.perturbation.TensorSelection;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.Recipes;
import dev.awp.training.Schedules;
import java.util.List;

/**
 * The configuration shown in the concepts and how-to pages: threat models and attacks, the weight
 * perturbation's options, and the paper's recipes. All are immutable values of {@code awp-api},
 * validated when built.
 */
public final class ConfigurationSnippet {

    private ConfigurationSnippet() {}

    /**
     * The attacks of the concepts page.
     *
     * @return the attacks
     */
    public static List<PgdAttack> attacks() {
        // tag::attacks[]
        PgdAttack training = Attacks.pgdTraining(); // L∞ 8/255, α = 2/255, 10 steps (PGD-AT)
        PgdAttack evaluation = Attacks.pgd20(); // L∞ 8/255, α = 2/255, 20 steps, BN in eval mode
        PgdAttack l2 =
                PgdAttack.builder()
                        .threatModel(ThreatModel.l2(128 / 255.0))
                        .steps(10)
                        .stepSize(15 / 255.0)
                        .restarts(2) // the worst case per example is kept
                        .batchNormMode(BatchNormMode.EVAL)
                        .build();
        // end::attacks[]
        return List.of(training, evaluation, l2);
    }

    /**
     * The weight perturbations of the concepts page.
     *
     * @return the perturbations
     */
    public static List<WeightPerturbation> perturbations() {
        // tag::perturbation[]
        WeightPerturbation atAwp = WeightPerturbation.of(0.01); // γ = 0.01, the AT-AWP default
        WeightPerturbation tradesAwp =
                WeightPerturbation.builder()
                        .gamma(0.005)
                        .warmupEpochs(10) // off in epochs 0..9
                        .build();
        WeightPerturbation variant =
                WeightPerturbation.builder()
                        .gamma(0.01)
                        .stepOrder(StepOrder.RESTORE_THEN_UPDATE) // the SAM order
                        .ascentSteps(3) // K-step projected ascent instead of one step
                        .ascentStepSize(0.5)
                        .tensors(TensorSelection.builder().exclude(".*fc.*").build())
                        .build();
        WeightPerturbation off = WeightPerturbation.none(); // γ = 0: exactly the base method
        // end::perturbation[]
        // tag::without-extra-pass[]
        // opt-in approximation: v from the weight gradient of the PGD attack's last iteration,
        // no extra forward and backward per step (the default, EXACT, is the paper's AWP)
        WeightPerturbation cheap =
                WeightPerturbation.builder()
                        .gamma(0.01)
                        .direction(PerturbationDirection.LAST_ATTACK_STEP)
                        .build();
        // end::without-extra-pass[]
        return List.of(atAwp, tradesAwp, variant, off, cheap);
    }

    /**
     * The recipes of the GPU how-to.
     *
     * @return the recipes
     */
    public static List<AdversarialTraining> recipes() {
        // tag::recipes[]
        AdversarialTraining atAwp = Recipes.atAwp(); // PGD-AT + AWP γ 0.01, 200 epochs
        AdversarialTraining tradesAwp =
                Recipes.tradesAwp(); // TRADES β 6 + AWP γ 0.005 from the 10th epoch
        AdversarialTraining martAwp =
                Recipes.martAwp(); // MART β 6 + AWP γ 0.005 from the 10th epoch
        AdversarialTraining baseline = Recipes.at(); // the same without AWP, for comparison
        // end::recipes[]
        // tag::override[]
        AdversarialTraining shortRun =
                Recipes.tradesAwp()
                        .withSchedule(
                                Schedules.multiStep(0.1, 10, 15)) // shorten the schedule first
                        .withEpochs(20)
                        .withSeed(42);
        AdversarialTraining custom =
                AdversarialTraining.builder()
                        .from(Recipes.atAwp())
                        .objective(Objectives.mart(6))
                        .attack(Attacks.martTraining())
                        .epochs(30)
                        .build();
        // end::override[]
        return List.of(atAwp, tradesAwp, martAwp, baseline, shortRun, custom);
    }
}
