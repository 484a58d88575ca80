package dev.awp.report;

import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.attack.ThreatModel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RobustnessReportTest {

    static AttackResult cascade(String name, int attacked, int survived) {
        return AttackResult.builder()
                .name(name)
                .attacked(attacked)
                .survived(survived)
                .cumulativeAccuracy(Accuracy.of(survived, 100))
                .elapsedSeconds(1)
                .build();
    }

    static AttackResult independent(String name, int attacked, int survived, int cumulative) {
        return AttackResult.builder()
                .name(name)
                .putParameter("steps", "20")
                .attacked(attacked)
                .survived(survived)
                .ownAccuracy(Accuracy.of(survived, 100))
                .cumulativeAccuracy(Accuracy.of(cumulative, 100))
                .elapsedSeconds(1)
                .build();
    }

    static RobustnessReport.Builder report(AttackAccounting accounting) {
        return RobustnessReport.builder()
                .dataset("test")
                .examples(100)
                .seed(0)
                .batchSize(32)
                .threatModel(ThreatModel.linf(8 / 255.0))
                .accounting(accounting)
                .cleanAccuracy(Accuracy.of(80, 100))
                .elapsedSeconds(3);
    }

    @Nested
    class WorstCase {
        @Test
        void should_report_the_last_cumulative_accuracy_as_robust() {
            RobustnessReport report =
                    report(AttackAccounting.CASCADE)
                            .addAttacks(cascade("PGD-20", 80, 50), cascade("APGD-T", 50, 45))
                            .build();
            assertThat(report.robustAccuracy()).isEqualTo(Accuracy.of(45, 100));
            assertThat(report.attack("PGD-20")).contains(cascade("PGD-20", 80, 50));
            assertThat(report.attack("nope")).isEmpty();
            assertThat(report.attacks().get(1).accuracyOnAttacked()).contains(Accuracy.of(45, 50));
        }

        @Test
        void should_report_clean_accuracy_as_robust_without_attacks() {
            assertThat(report(AttackAccounting.CASCADE).build().robustAccuracy())
                    .isEqualTo(Accuracy.of(80, 100));
        }

        @Test
        void should_keep_each_attack_own_accuracy_when_independent() {
            RobustnessReport report =
                    report(AttackAccounting.INDEPENDENT)
                            .addAttacks(
                                    independent("PGD-20", 80, 50, 50),
                                    independent("FGSM", 80, 60, 48))
                            .subsetSeed(7L)
                            .putEnvironment("djl.version", "0.36.0")
                            .addWarning("careful")
                            .build();
            assertThat(report.attacks().get(1).ownAccuracy()).contains(Accuracy.of(60, 100));
            assertThat(report.robustAccuracy()).isEqualTo(Accuracy.of(48, 100));
            assertThat(report.subsetSeed()).contains(7L);
        }
    }

    @Nested
    class Validation {
        @Test
        void should_reject_a_worst_case_that_improves() {
            assertRejected(
                    () ->
                            report(AttackAccounting.INDEPENDENT)
                                    .addAttacks(
                                            independent("A", 80, 50, 50),
                                            independent("B", 80, 60, 55))
                                    .build(),
                    "attacks[1].cumulativeAccuracy.correct",
                    "55");
        }

        @Test
        void should_reject_a_cumulative_above_the_clean_accuracy() {
            assertRejected(
                    () -> report(AttackAccounting.CASCADE).addAttacks(cascade("A", 80, 81)).build(),
                    "survived",
                    "81");
        }

        @Test
        void should_reject_a_cascade_attack_that_did_not_run_on_the_survivors() {
            assertRejected(
                    () ->
                            report(AttackAccounting.CASCADE)
                                    .addAttacks(cascade("A", 80, 50), cascade("B", 80, 40))
                                    .build(),
                    "attacks[1].attacked",
                    "80");
        }

        @Test
        void should_reject_an_own_accuracy_in_a_cascade() {
            assertRejected(
                    () ->
                            report(AttackAccounting.CASCADE)
                                    .addAttacks(independent("A", 80, 50, 50))
                                    .build(),
                    "attacks[0].ownAccuracy",
                    "Optional");
        }

        @Test
        void should_reject_an_independent_attack_without_own_accuracy() {
            assertRejected(
                    () ->
                            report(AttackAccounting.INDEPENDENT)
                                    .addAttacks(cascade("A", 80, 50))
                                    .build(),
                    "attacks[0].ownAccuracy",
                    "Optional.empty");
        }

        @Test
        void should_reject_totals_other_than_the_number_of_examples() {
            assertRejected(
                    () ->
                            report(AttackAccounting.CASCADE)
                                    .cleanAccuracy(Accuracy.of(5, 10))
                                    .build(),
                    "cleanAccuracy.total",
                    "10");
        }

        @Test
        void should_reject_a_cumulative_above_the_own_accuracy() {
            assertRejected(() -> independent("A", 80, 50, 51), "cumulativeAccuracy.correct", "51");
        }

        @Test
        void should_reject_invalid_scalars() {
            assertRejected(
                    () -> report(AttackAccounting.CASCADE).batchSize(0).build(), "batchSize", "0");
            assertRejected(
                    () -> report(AttackAccounting.CASCADE).elapsedSeconds(-1).build(),
                    "elapsedSeconds",
                    "-1.0");
            assertRejected(
                    () -> report(AttackAccounting.CASCADE).dataset("").build(), "dataset", "''");
            assertRejected(
                    () ->
                            AttackResult.builder()
                                    .name("A")
                                    .attacked(-1)
                                    .survived(0)
                                    .cumulativeAccuracy(Accuracy.of(0, 1))
                                    .elapsedSeconds(0)
                                    .build(),
                    "attacked",
                    "-1");
        }

        @Test
        void should_keep_parameters_in_order() {
            AttackResult result =
                    AttackResult.builder()
                            .from(cascade("A", 80, 50))
                            .parameters(Map.of("steps", "20"))
                            .build();
            assertThat(result.parameters()).containsEntry("steps", "20");
        }
    }

    @Nested
    class BrokenBy {
        static final int R = RobustnessReport.ROBUST;
        static final int E = RobustnessReport.CLEAN_ERROR;

        /** 8 examples: 2 clean errors, then APGD-CE breaks 2, APGD-T 1, Square 1; 2 robust. */
        RobustnessReport.Builder eight(List<Integer> codes) {
            return RobustnessReport.builder()
                    .dataset("test")
                    .examples(8)
                    .seed(0)
                    .batchSize(4)
                    .threatModel(ThreatModel.linf(8 / 255.0))
                    .accounting(AttackAccounting.CASCADE)
                    .cleanAccuracy(Accuracy.of(6, 8))
                    .addAttacks(
                            result("APGD-CE", 6, 4),
                            result("APGD-T", 4, 3),
                            result("FAB-T", 3, 3),
                            result("Square", 3, 2))
                    .brokenBy(codes)
                    .elapsedSeconds(1);
        }

        AttackResult result(String name, int attacked, int survived) {
            return AttackResult.builder()
                    .name(name)
                    .attacked(attacked)
                    .survived(survived)
                    .cumulativeAccuracy(Accuracy.of(survived, 8))
                    .queries(attacked * 10L)
                    .elapsedSeconds(1)
                    .build();
        }

        @Test
        void should_name_the_attack_that_first_broke_each_example() {
            RobustnessReport report = eight(List.of(E, 0, R, 1, 0, E, 3, R)).build();
            assertThat(report.brokenByName(1)).contains("APGD-CE");
            assertThat(report.brokenByName(3)).contains("APGD-T");
            assertThat(report.brokenByName(6)).contains("Square");
            assertThat(report.brokenByName(2)).isEqualTo(Optional.empty());
            assertThat(report.brokenByName(0)).isEqualTo(Optional.empty());
            assertThat(report.attacks().get(0).queriesPerExample()).isEqualTo(10.0);
        }

        @Test
        void should_reject_codes_that_disagree_with_the_cumulative_accuracies() {
            // Square's example credited to FAB-T: FAB-T would leave 2, not 3
            assertRejected(
                    () -> eight(List.of(E, 0, R, 1, 0, E, 2, R)).build(),
                    "attacks[2].cumulativeAccuracy.correct",
                    "3");
        }

        @Test
        void should_reject_codes_that_disagree_with_the_clean_accuracy() {
            assertRejected(() -> eight(List.of(E, 0, R, 1, 0, E, 3, E)).build(), "brokenBy", "5");
        }

        @Test
        void should_reject_a_code_per_example_missing_or_out_of_range() {
            assertRejected(() -> eight(List.of(E, 0, R)).build(), "brokenBy", "of size 3");
            assertRejected(
                    () -> eight(List.of(E, 0, R, 1, 0, E, 4, R)).build(), "brokenBy[6]", "4");
        }

        @Test
        void should_reject_negative_queries() {
            assertRejected(() -> result("APGD-CE", 6, 4).withQueries(-1), "queries", "-1");
        }

        @Test
        void should_accept_reports_without_codes() {
            assertThat(eight(List.of()).build().brokenBy()).isEmpty();
        }
    }
}
