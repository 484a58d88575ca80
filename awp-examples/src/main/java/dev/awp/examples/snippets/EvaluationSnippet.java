package dev.awp.examples.snippets;

import ai.djl.nn.Block;
import dev.awp.attack.Attacks;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.evaluation.RobustnessReportJson;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.util.List;
import java.util.Locale;

/**
 * Evaluating a model under a cascade of attacks, and reading the report (site: concepts, how-to).
 */
public final class EvaluationSnippet {

    private EvaluationSnippet() {}

    /**
     * Evaluates a trained model.
     *
     * @param model the trained block
     * @param testSet the test images
     * @param subsetSize how many examples (a seeded subset)
     * @return the report as JSON
     */
    public static String evaluate(Block model, ImageDataset testSet, int subsetSize) {
        // tag::evaluate[]
        RobustnessEvaluator evaluator =
                RobustnessEvaluator.builder()
                        .optAttacks(List.of(Attacks.fgsm(), Attacks.pgd20(), Attacks.apgdCe()))
                        .optSeed(0)
                        .build();
        RobustnessReport report = evaluator.evaluate(model, testSet, subsetSize, 0);
        // end::evaluate[]
        // tag::read[]
        System.out.printf(
                Locale.ROOT,
                "clean %.1f %% [%.1f, %.1f]%n",
                100 * report.cleanAccuracy().value(),
                100 * report.cleanAccuracy().lower(),
                100 * report.cleanAccuracy().upper());
        for (AttackResult attack : report.attacks()) {
            System.out.printf(
                    Locale.ROOT,
                    "after %-8s robust %.1f %%%n",
                    attack.name(),
                    100 * attack.cumulativeAccuracy().value());
        }
        String json = RobustnessReportJson.toJson(report);
        // end::read[]
        return json;
    }
}
