package dev.awp.djl.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import ai.djl.Model;
import dev.awp.attack.ApgdAttack;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.FabAttack;
import dev.awp.attack.SquareAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.ImageDataset;
import dev.awp.report.AttackAccounting;
import dev.awp.report.RobustnessReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EvaluationPartTest {

    private static final int BATCH = 8;

    /** AutoAttack's cascade, shortened, at a radius where it breaks some examples but not all. */
    private static List<Attack> shortAutoAttack() {
        List<Attack> standard = Attacks.autoAttack(ThreatModel.linf(4 / 255.0));
        return List.of(
                ((ApgdAttack) standard.get(0)).withSteps(3),
                ((ApgdAttack) standard.get(1)).withSteps(2).withTargetClasses(2),
                ((FabAttack) standard.get(2)).withSteps(3).withTargetClasses(2),
                ((SquareAttack) standard.get(3)).withQueries(10));
    }

    private static RobustnessEvaluator evaluator(AttackAccounting accounting) {
        return RobustnessEvaluator.builder()
                .optAttacks(shortAutoAttack())
                .optAccounting(accounting)
                .optBatchSize(BATCH)
                .optSeed(11)
                .optNoProgress()
                .build();
    }

    /** Examples {@code [from, to)} of {@code data} as a dataset of their own. */
    static ImageDataset slice(ImageDataset data, int from, int to) {
        byte[] images = new byte[(to - from) * data.imageBytes()];
        int[] labels = new int[to - from];
        for (int i = from; i < to; i++) {
            System.arraycopy(
                    data.image(i), 0, images, (i - from) * data.imageBytes(), data.imageBytes());
            labels[i - from] = data.label(i);
        }
        return ImageDataset.of(
                data.name() + "[" + from + ", " + to + ")",
                data.channels(),
                data.height(),
                data.width(),
                images,
                labels,
                data.numClasses());
    }

    @Nested
    class Merge {

        @ParameterizedTest(name = "{0}")
        @EnumSource(AttackAccounting.class)
        void should_give_the_report_of_one_evaluation_whatever_the_split(
                AttackAccounting accounting) {
            Model model = TrainedModels.shapes();
            AttackTarget target = AttackTarget.of(model.getBlock());
            ImageDataset data = slice(TrainedModels.shapesTest(), 0, 44);
            RobustnessEvaluator evaluator = evaluator(accounting);
            RobustnessReport whole = evaluator.evaluate(target, data);

            // batches [0, 2), [2, 3) and [3, 6), the last one of 4 examples, merged out of order
            List<EvaluationPart> parts = new ArrayList<>();
            parts.add(evaluator.evaluatePart(target, slice(data, 24, 44), 3));
            parts.add(evaluator.evaluatePart(target, slice(data, 0, 16), 0));
            parts.add(evaluator.evaluatePart(target, slice(data, 16, 24), 2));
            RobustnessReport merged = evaluator.merge(data.name(), parts);

            assertThat(whole.robustAccuracy().correct())
                    .isGreaterThan(0)
                    .isLessThan(whole.cleanAccuracy().correct());
            assertThat(RobustnessEvaluatorTest.withoutTimes(merged))
                    .isEqualTo(RobustnessEvaluatorTest.withoutTimes(whole));
        }

        @Test
        void should_record_labels_predictions_and_verdicts_per_example() {
            AttackTarget target = AttackTarget.of(TrainedModels.shapes().getBlock());
            ImageDataset data = slice(TrainedModels.shapesTest(), 0, 16);
            RobustnessEvaluator evaluator = evaluator(AttackAccounting.CASCADE);
            EvaluationPart part = evaluator.evaluatePart(target, data, 0);
            RobustnessReport report = evaluator.evaluate(target, data);
            for (int i = 0; i < part.size(); i++) {
                assertThat(part.label(i)).isEqualTo(data.label(i));
                assertThat(part.brokenBy(i)).isEqualTo(report.brokenBy().get(i));
                boolean correct = part.cleanPrediction(i) == part.label(i);
                // the cascade's first attack runs on exactly the examples correct at the clean
                // input
                assertThat(part.verdict(0, i) != EvaluationPart.NOT_ATTACKED).isEqualTo(correct);
                if (part.brokenBy(i) >= 0) {
                    assertThat(part.verdict(part.brokenBy(i), i)).isEqualTo(EvaluationPart.BROKEN);
                }
            }
            long queries = 0;
            for (int k = 0; k < part.attacks(); k++) {
                queries += part.queries(k);
                assertThat(part.queries(k)).isEqualTo(report.attacks().get(k).queries());
                // every forward pass is spent on some example: the per-example counts add up to
                // what the counting model saw, and only attacked examples have any
                long perExample = 0;
                for (int i = 0; i < part.size(); i++) {
                    perExample += part.queries(k, i);
                    assertThat(part.queries(k, i) > 0)
                            .isEqualTo(part.verdict(k, i) != EvaluationPart.NOT_ATTACKED);
                }
                assertThat(perExample).isEqualTo(part.queries(k));
            }
            assertThat(queries).isPositive();
        }

        @Test
        void should_reject_a_gap_between_parts() {
            AttackTarget target = AttackTarget.of(TrainedModels.shapes().getBlock());
            ImageDataset data = slice(TrainedModels.shapesTest(), 0, 24);
            RobustnessEvaluator evaluator = evaluator(AttackAccounting.CASCADE);
            EvaluationPart first = evaluator.evaluatePart(target, slice(data, 0, 8), 0);
            EvaluationPart third = evaluator.evaluatePart(target, slice(data, 16, 24), 2);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> evaluator.merge("x", List.of(third, first)))
                    .withMessage(
                            "parts must cover the batches from 0 without gap or overlap but after"
                                    + " batch 0 came a part starting at batch 2");
        }
    }

    @Nested
    class PerExampleDraws {

        /** Random search alone, short enough that its draws decide some verdicts. */
        private RobustnessEvaluator searches(int batchSize) {
            List<Attack> standard = Attacks.autoAttack(ThreatModel.linf(6 / 255.0));
            return RobustnessEvaluator.builder()
                    .optAttacks(
                            List.of(
                                    ((SquareAttack) standard.get(3)).withQueries(4),
                                    ((ApgdAttack) standard.get(0)).withSteps(1)))
                    .optAccounting(AttackAccounting.INDEPENDENT)
                    .optBatchSize(batchSize)
                    .optSeed(11)
                    .optNoProgress()
                    .build();
        }

        @Test
        void should_give_every_example_its_verdicts_whatever_the_batch_size() {
            AttackTarget target = AttackTarget.of(TrainedModels.shapes().getBlock());
            ImageDataset data = slice(TrainedModels.shapesTest(), 0, 20);
            RobustnessReport byEight = searches(8).evaluate(target, data);
            RobustnessReport bySix = searches(6).evaluate(target, data);
            // APGD's random starts and Square's windows are drawn per example: other batches,
            // other positions and other companions leave every example's verdicts as they were
            int square = byEight.attacks().get(0).ownAccuracy().orElseThrow().correct();
            assertThat(square).isGreaterThan(0).isLessThan(byEight.cleanAccuracy().correct());
            assertThat(bySix.brokenBy()).isEqualTo(byEight.brokenBy());
            for (int k = 0; k < byEight.attacks().size(); k++) {
                assertThat(bySix.attacks().get(k).ownAccuracy())
                        .isEqualTo(byEight.attacks().get(k).ownAccuracy());
            }
        }
    }

    @Nested
    class Json {

        @Test
        void should_read_what_it_writes() {
            AttackTarget target = AttackTarget.of(TrainedModels.shapes().getBlock());
            RobustnessEvaluator evaluator = evaluator(AttackAccounting.INDEPENDENT);
            EvaluationPart part =
                    evaluator.evaluatePart(target, slice(TrainedModels.shapesTest(), 8, 20), 1);
            EvaluationPart read = EvaluationPart.fromJson(part.toJson());
            assertThat(read.toJson()).isEqualTo(part.toJson());
            assertThat(read.firstBatch()).isEqualTo(1);
            assertThat(read.size()).isEqualTo(12);
            assertThat(read.batches()).isEqualTo(2);
            int[] verdicts = new int[read.size()];
            for (int i = 0; i < read.size(); i++) {
                verdicts[i] = read.verdict(3, i);
                assertThat(read.verdict(3, i)).isEqualTo(part.verdict(3, i));
            }
            assertThat(Arrays.stream(verdicts).distinct()).isNotEmpty();
        }

        @Test
        void should_reject_another_schema() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> EvaluationPart.fromJson("{\"schema\": \"x/1\"}"))
                    .withMessageContaining("schema must be " + EvaluationPart.SCHEMA);
        }
    }
}
