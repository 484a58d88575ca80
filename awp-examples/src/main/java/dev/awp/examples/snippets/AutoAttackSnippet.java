package dev.awp.examples.snippets;

import ai.djl.nn.Block;
import dev.awp.attack.Attacks;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.NativeAllocator;
import dev.awp.djl.data.ClassificationData;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.nio.file.Path;
import java.util.Locale;

/** AutoAttack's standard evaluation, resumable, and reading its report (site: how-to). */
public final class AutoAttackSnippet {

    private AutoAttackSnippet() {}

    /**
     * Runs the standard AutoAttack cascade on a seeded subset, resumable through a state file.
     *
     * @param model the trained block
     * @param testSet the test data, inputs in [0, 1]
     * @param examples how many examples (a seeded subset)
     * @param state the state file (an interrupted evaluation continues from it)
     * @return the report
     */
    public static RobustnessReport evaluate(
            Block model, ClassificationData testSet, int examples, Path state) {
        // tag::speed[]
        NativeAllocator.retainFreedMemory(); // once per process; false, and no change, off glibc
        // end::speed[]
        // tag::evaluate[]
        RobustnessEvaluator evaluator =
                RobustnessEvaluator.builder()
                        .optAttacks(Attacks.autoAttack(ThreatModel.linf(8 / 255.0)))
                        .optStatePath(state)
                        .optSeed(0)
                        .build();
        RobustnessReport report = evaluator.evaluate(model, testSet, examples, 0);
        // end::evaluate[]
        // tag::read[]
        for (AttackResult attack : report.attacks()) {
            System.out.printf(
                    Locale.ROOT,
                    "after %-7s robust %.1f %% [%.1f, %.1f], %.0f queries per attacked example%n",
                    attack.name(),
                    100 * attack.cumulativeAccuracy().value(),
                    100 * attack.cumulativeAccuracy().lower(),
                    100 * attack.cumulativeAccuracy().upper(),
                    attack.queriesPerExample());
        }
        for (int i = 0; i < report.examples(); i++) {
            int example = i;
            report.brokenByName(i)
                    .ifPresent(name -> System.out.println(example + " broken by " + name));
        }
        // end::read[]
        return report;
    }
}
