package dev.awp.djl.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Progress;
import dev.awp.attack.ApgdAttack;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.FabAttack;
import dev.awp.attack.SquareAttack;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputAttack;
import dev.awp.djl.attack.InputAttacks;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.report.AttackAccounting;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator on a small undefended model trained briefly on SyntheticShapes (64 test images,
 * short attacks to stay fast) and on untrained models for the sanity checks.
 */
class RobustnessEvaluatorTest {

    /** A short cascade with every kind of attack: 1 + 5 + 5 + 2 × 3 gradient steps. */
    static final List<Attack> SHORT =
            List.of(
                    Attacks.fgsm(),
                    Attacks.pgd(5),
                    Attacks.apgdCe().withSteps(5),
                    Attacks.apgdT().withSteps(3).withTargetClasses(2));

    private static RobustnessReport independent;

    /** The independent evaluation of the trained model, computed once. */
    static synchronized RobustnessReport independentReport() {
        if (independent == null) {
            Model model = TrainedModels.shapes();
            Fingerprint before = Fingerprint.of(model.getBlock());
            long started = System.nanoTime();
            independent =
                    RobustnessEvaluator.builder()
                            .optAttacks(SHORT)
                            .optAccounting(AttackAccounting.INDEPENDENT)
                            .optBatchSize(32)
                            .optNoProgress()
                            .build()
                            .evaluate(model.getBlock(), TrainedModels.shapesTest(), 64, 7L);
            System.out.printf(
                    "independent evaluation of 64 examples: %.1f s%n%s%n",
                    (System.nanoTime() - started) / 1e9, summary(independent));
            assertThat(Fingerprint.of(model.getBlock())).isEqualTo(before);
        }
        return independent;
    }

    static String summary(RobustnessReport report) {
        StringBuilder text =
                new StringBuilder(
                        String.format(
                                "clean %d/%d",
                                report.cleanAccuracy().correct(), report.examples()));
        for (AttackResult result : report.attacks()) {
            text.append(
                    String.format(
                            ", %s own %s cumulative %d (%.1f s)",
                            result.name(),
                            result.ownAccuracy()
                                    .map(a -> Integer.toString(a.correct()))
                                    .orElse("-"),
                            result.cumulativeAccuracy().correct(),
                            result.elapsedSeconds()));
        }
        return text.toString();
    }

    static ImageDataset randomDataset(int size, int classes) {
        Random random = new Random(size * 31L + classes);
        byte[] images = new byte[size * ImageDataset.IMAGE_BYTES];
        random.nextBytes(images);
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            labels[i] = i % classes;
        }
        return ImageDataset.of("random", images, labels, classes);
    }

    /** Random images labelled with the model's own predictions: all clean-correct. */
    static ImageDataset labelledByModel(Model model, int size) {
        byte[] images = new byte[size * ImageDataset.IMAGE_BYTES];
        new Random(size).nextBytes(images);
        float[] pixels = new float[images.length];
        for (int i = 0; i < images.length; i++) {
            pixels[i] = (images[i] & 0xff) / 255f;
        }
        int[] labels = new int[size];
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDArray x = manager.create(pixels, new Shape(size, 3, 32, 32));
            long[] predicted =
                    model.getBlock()
                            .forward(new ParameterStore(manager, false), new NDList(x), false)
                            .head()
                            .argMax(1)
                            .toLongArray();
            for (int i = 0; i < size; i++) {
                labels[i] = Math.toIntExact(predicted[i]);
            }
        }
        return ImageDataset.of("labelled by the model", images, labels, 10);
    }

    static RobustnessEvaluator.Builder quiet(List<? extends Attack> attacks) {
        return RobustnessEvaluator.builder().optAttacks(attacks).optNoProgress().optBatchSize(16);
    }

    @Nested
    class WorstCase {
        @Test
        void should_bring_an_undefended_model_below_its_clean_accuracy() {
            RobustnessReport report = independentReport();
            int clean = report.cleanAccuracy().correct();
            assertThat(clean).isGreaterThan(10);
            assertThat(report.attack("PGD-5").orElseThrow().ownAccuracy().orElseThrow().correct())
                    .isLessThan(clean);
            assertThat(report.robustAccuracy().correct()).isLessThan(clean);
        }

        @Test
        void should_keep_worst_case_below_each_attack_and_each_attack_below_clean() {
            RobustnessReport report = independentReport();
            int clean = report.cleanAccuracy().correct();
            int worst = report.robustAccuracy().correct();
            for (AttackResult result : report.attacks()) {
                int own = result.ownAccuracy().orElseThrow().correct();
                assertThat(own).as(result.name()).isLessThanOrEqualTo(clean);
                assertThat(result.cumulativeAccuracy().correct()).isLessThanOrEqualTo(own);
                assertThat(worst).isLessThanOrEqualTo(own);
                assertThat(result.attacked()).isEqualTo(clean);
            }
        }

        @Test
        void should_record_how_the_numbers_were_obtained() {
            RobustnessReport report = independentReport();
            assertThat(report.examples()).isEqualTo(64);
            assertThat(report.subsetSeed()).contains(7L);
            assertThat(report.dataset()).contains("subset of 64, seed 7");
            assertThat(report.threatModel()).isEqualTo(ThreatModel.linf(8 / 255.0));
            assertThat(report.batchSize()).isEqualTo(32);
            assertThat(report.environment())
                    .containsKeys(
                            "awp.version", "djl.version", "engine", "engine.version", "device")
                    .containsEntry("engine", "PyTorch");
            assertThat(report.attacks())
                    .extracting(AttackResult::name)
                    .containsExactly("FGSM", "PGD-5", "APGD-CE", "APGD-T");
            assertThat(report.attacks().get(3).parameters())
                    .containsEntry("type", "APGD")
                    .containsEntry("steps", "3")
                    .containsEntry("targetClasses", "2");
        }

        @Test
        void should_run_later_attacks_only_on_survivors_in_a_cascade_deterministically() {
            RobustnessEvaluator evaluator =
                    quiet(List.of(Attacks.fgsm(), Attacks.pgd(3), Attacks.apgdCe().withSteps(3)))
                            .optBatchSize(32)
                            .optSeed(9)
                            .build();
            Model model = TrainedModels.shapes();
            RobustnessReport first =
                    evaluator.evaluate(model.getBlock(), TrainedModels.shapesTest(), 32, 7L);
            RobustnessReport second =
                    evaluator.evaluate(model.getBlock(), TrainedModels.shapesTest(), 32, 7L);
            System.out.println("cascade: " + summary(first));
            int previous = first.cleanAccuracy().correct();
            for (AttackResult result : first.attacks()) {
                assertThat(result.attacked()).isEqualTo(previous);
                assertThat(result.ownAccuracy()).isEmpty();
                previous = result.cumulativeAccuracy().correct();
            }
            assertThat(withoutTimes(second)).isEqualTo(withoutTimes(first));
        }
    }

    static RobustnessReport withoutTimes(RobustnessReport report) {
        List<AttackResult> attacks = new ArrayList<>();
        for (AttackResult result : report.attacks()) {
            attacks.add(result.withElapsedSeconds(0));
        }
        return report.withElapsedSeconds(0).withAttacks(attacks);
    }

    @Nested
    class Json {
        @Test
        void should_read_back_what_it_writes() {
            RobustnessReport report = independentReport().withWarnings("a \"quoted\" <warning>");
            String json = RobustnessReportJson.toJson(report);
            assertThat(RobustnessReportJson.fromJson(json)).isEqualTo(report);
        }

        @Test
        void should_write_the_documented_fields() {
            var tree = RobustnessReportJson.toTree(independentReport());
            assertThat(tree.get("schema").getAsString()).isEqualTo(RobustnessReportJson.SCHEMA);
            assertThat(tree.keySet())
                    .contains(
                            "dataset",
                            "examples",
                            "subsetSeed",
                            "seed",
                            "batchSize",
                            "threatModel",
                            "accounting",
                            "clean",
                            "robust",
                            "attacks",
                            "brokenBy",
                            "environment",
                            "warnings",
                            "elapsedSeconds");
            var robust = tree.getAsJsonObject("robust");
            assertThat(robust.keySet()).contains("correct", "total", "accuracy", "lower", "upper");
            assertThat(robust.get("lower").getAsDouble())
                    .isLessThanOrEqualTo(robust.get("accuracy").getAsDouble());
            var attack = tree.getAsJsonArray("attacks").get(0).getAsJsonObject();
            assertThat(attack.keySet())
                    .contains(
                            "name",
                            "parameters",
                            "attacked",
                            "survived",
                            "ownAccuracy",
                            "cumulative",
                            "queries",
                            "elapsedSeconds");
            assertThat(tree.getAsJsonArray("brokenBy")).hasSize(64);
        }

        @Test
        void should_reject_another_schema() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> RobustnessReportJson.fromJson("{\"schema\": \"x/1\"}"))
                    .withMessageStartingWith("schema must be " + RobustnessReportJson.SCHEMA)
                    .withMessageContaining("but was x/1");
        }
    }

    @Nested
    class SanityChecks {
        @Test
        void should_reject_inputs_outside_the_threat_model_bounds() {
            ThreatModel narrow =
                    ThreatModel.builder().epsilon(8 / 255.0).lowerBound(0.2).upperBound(1).build();
            try (Model model = TrainedModels.untrained(10)) {
                RobustnessEvaluator evaluator =
                        quiet(List.of(Attacks.fgsm().withThreatModel(narrow))).build();
                assertThatIllegalArgumentException()
                        .isThrownBy(
                                () -> evaluator.evaluate(model.getBlock(), randomDataset(8, 10)))
                        .withMessageStartingWith("inputs must be within the threat model's bounds")
                        .withMessageContaining("[0.2, 1.0]");
            }
        }

        @Test
        void should_warn_of_gradient_masking_when_input_gradients_are_zero() {
            try (Model model = Model.newInstance("quantized")) {
                // rounding to 4 levels: the input gradient is exactly zero everywhere
                SequentialBlock block = new SequentialBlock();
                block.add(new LambdaBlock(in -> new NDList(in.head().mul(4).round().div(4))));
                block.add(
                        SmallCnn.builder().setNumClasses(10).optWidth(4).optHiddenUnits(8).build());
                model.setBlock(block);
                block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
                RobustnessReport report =
                        quiet(List.of(Attacks.fgsm()))
                                .build()
                                .evaluate(model.getBlock(), SyntheticShapes.test(16, 1));
                assertThat(report.warnings())
                        .anySatisfy(
                                w ->
                                        assertThat(w)
                                                .contains("gradient masking")
                                                .contains("16 of 16"));
            }
        }

        @Test
        void should_not_warn_for_a_plain_model() {
            try (Model model = TrainedModels.untrained(10)) {
                RobustnessReport report =
                        quiet(List.of(Attacks.fgsm()))
                                .build()
                                .evaluate(model.getBlock(), SyntheticShapes.test(16, 1));
                assertThat(report.warnings()).isEmpty();
            }
        }

        @Test
        void should_fail_before_any_attack_when_the_model_has_too_few_classes_for_apgd_t() {
            RecordingProgress progress = new RecordingProgress();
            try (Model model = TrainedModels.untrained(3)) {
                RobustnessEvaluator evaluator =
                        RobustnessEvaluator.builder().optProgress(progress).optBatchSize(8).build();
                assertThatIllegalArgumentException()
                        .isThrownBy(() -> evaluator.evaluate(model.getBlock(), randomDataset(8, 3)))
                        .withMessageStartingWith("numClasses must be >= 4 for APGD-T")
                        .withMessageContaining("but was 3");
            }
            assertThat(progress.messages).noneMatch(m -> m.startsWith("FGSM"));
        }

        @Test
        void should_fail_when_the_model_has_too_few_classes_for_dlr() {
            try (Model model = TrainedModels.untrained(2)) {
                RobustnessEvaluator evaluator = quiet(List.of(Attacks.apgdDlr())).build();
                assertThatIllegalArgumentException()
                        .isThrownBy(() -> evaluator.evaluate(model.getBlock(), randomDataset(4, 2)))
                        .withMessageStartingWith("numClasses must be >= 3 for APGD-DLR")
                        .withMessageContaining("but was 2");
            }
        }

        @Test
        void should_warn_when_an_attack_changes_the_model() {
            InputAttack trainingMode =
                    new InputAttack() {
                        @Override
                        public NDArray generate(AttackTarget target, NDArray x, NDArray y) {
                            target.logits(x, BatchNormMode.TRAIN); // updates running statistics
                            return x.duplicate();
                        }

                        @Override
                        public ThreatModel threatModel() {
                            return Attacks.fgsm().threatModel();
                        }

                        @Override
                        public String name() {
                            return "train-mode";
                        }
                    };
            try (Model model = TrainedModels.untrained(10)) {
                RobustnessReport report =
                        quiet(List.of(trainingMode))
                                .build()
                                .evaluate(model.getBlock(), SyntheticShapes.test(16, 1));
                assertThat(report.warnings())
                        .anySatisfy(w -> assertThat(w).contains("running statistics changed"));
                assertThat(report.attacks().get(0).parameters())
                        .containsEntry("type", trainingMode.getClass().getName());
            }
        }

        @Test
        void should_fail_when_an_attack_leaves_the_threat_model() {
            InputAttack tooFar =
                    new InputAttack() {
                        @Override
                        public NDArray generate(AttackTarget target, NDArray x, NDArray y) {
                            return x.mul(0.5);
                        }

                        @Override
                        public ThreatModel threatModel() {
                            return Attacks.fgsm().threatModel();
                        }

                        @Override
                        public String name() {
                            return "too-far";
                        }
                    };
            try (Model model = TrainedModels.untrained(10)) {
                RobustnessEvaluator evaluator =
                        quiet(List.of(tooFar)).optAccounting(AttackAccounting.INDEPENDENT).build();
                assertThatIllegalStateException()
                        .isThrownBy(
                                () ->
                                        evaluator.evaluate(
                                                model.getBlock(), SyntheticShapes.test(16, 1)))
                        .withMessageStartingWith(
                                "attack too-far must stay within its threat model");
            }
        }
    }

    /**
     * A custom attack that returns the clean inputs and describes itself with {@code parameters}.
     */
    static InputAttack describedBy(Map<String, Object> parameters) {
        return new InputAttack() {
            @Override
            public NDArray generate(AttackTarget target, NDArray x, NDArray y) {
                return x.duplicate();
            }

            @Override
            public ThreatModel threatModel() {
                return Attacks.fgsm().threatModel();
            }

            @Override
            public String name() {
                return "identity";
            }

            @Override
            public Map<String, Object> parameters() {
                return parameters;
            }
        };
    }

    @Nested
    class AttackDescriptions {
        @Test
        void should_write_a_custom_attacks_parameters_after_its_threat_model() {
            Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("strength", 3);
            parameters.put("schedule", "linear");
            InputAttack attack = describedBy(parameters);
            try (Model model = TrainedModels.untrained(10)) {
                RobustnessReport report =
                        quiet(List.of(attack))
                                .build()
                                .evaluate(model.getBlock(), SyntheticShapes.test(8, 1));

                assertThat(report.attacks().get(0).name()).isEqualTo("identity");
                assertThat(report.attacks().get(0).parameters())
                        .containsExactly(
                                entry("type", attack.getClass().getName()),
                                entry("norm", "LINF"),
                                entry("epsilon", Double.toString(8 / 255.0)),
                                entry("strength", "3"),
                                entry("schedule", "linear"),
                                entry("batchNormMode", "EVAL"));
            }
        }

        @Test
        void should_describe_a_bound_attack_by_its_specification() {
            InputAttack bound = InputAttacks.bind(Attacks.pgd(2));

            assertThat(bound.parameters()).isEqualTo(Attacks.pgd(2).parameters());
        }

        @Test
        void should_reject_parameters_that_use_the_reports_own_keys() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> quiet(List.of(describedBy(Map.of("epsilon", 0.1)))).build())
                    .withMessageStartingWith(
                            "attacks[0].parameters() must not use the report's own keys")
                    .withMessageEndingWith("but had epsilon: rename it");
        }
    }

    @Nested
    class Configuration {
        @Test
        void should_default_to_the_standard_cascade() {
            assertThat(RobustnessEvaluator.defaultAttacks())
                    .extracting(Attack::name)
                    .containsExactly("FGSM", "PGD-20", "PGD-100", "CW-100", "APGD-CE", "APGD-T");
            assertThat(RobustnessEvaluator.builder().build().attacks())
                    .isEqualTo(RobustnessEvaluator.defaultAttacks());
        }

        @Test
        void should_reject_attacks_in_training_mode() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> quiet(List.of(Attacks.fgsm(), Attacks.pgdTraining())).build())
                    .withMessageStartingWith("attacks[1].batchNormMode must be EVAL")
                    .withMessageContaining("but was TRAIN");
        }

        @Test
        void should_reject_attacks_with_different_threat_models() {
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    quiet(
                                                    List.of(
                                                            Attacks.pgd20(),
                                                            Attacks.pgd20()
                                                                    .withThreatModel(
                                                                            ThreatModel.linf(0.1))))
                                            .build())
                    .withMessageStartingWith("attacks[1].threatModel must equal")
                    .withMessageContaining("but was");
        }

        @Test
        void should_reject_an_empty_list_and_a_bad_batch_size() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> RobustnessEvaluator.builder().optAttacks(List.of()))
                    .withMessageStartingWith("attacks must not be empty");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> RobustnessEvaluator.builder().optBatchSize(0))
                    .withMessage("batchSize must be >= 1 but was 0");
        }

        @Test
        void should_report_progress_per_batch_and_attack() {
            RecordingProgress progress = new RecordingProgress();
            try (Model model = TrainedModels.untrained(10)) {
                quiet(List.of(Attacks.fgsm(), Attacks.pgd(2)))
                        .optProgress(progress)
                        .optBatchSize(8)
                        .build()
                        .evaluate(model.getBlock(), SyntheticShapes.test(16, 1));
            }
            // 2 batches × 3 stages (clean, 2 attacks), each of UNITS_PER_STAGE units
            assertThat(progress.max).isEqualTo(2 * 3 * RobustnessEvaluator.UNITS_PER_STAGE);
            assertThat(progress.last).isEqualTo(6 * RobustnessEvaluator.UNITS_PER_STAGE);
            assertThat(progress.ended).isTrue();
            assertThat(progress.messages).anyMatch(m -> m.startsWith("PGD-2 "));
        }

        @Test
        void should_show_progress_inside_a_long_attack() {
            RecordingProgress progress = new RecordingProgress();
            try (Model model = TrainedModels.untrained(10)) {
                // labels from the model itself and a tiny budget: every example survives every
                // query
                ImageDataset data = labelledByModel(model, 16);
                quiet(
                                List.of(
                                        Attacks.square()
                                                .withThreatModel(ThreatModel.linf(1e-6))
                                                .withQueries(5)))
                        .optProgress(progress)
                        .optProgressInterval(Duration.ZERO)
                        .optBatchSize(8)
                        .build()
                        .evaluate(model.getBlock(), data);
            }
            // per batch, one update per pass: the clean logits, the start, 5 proposals
            assertThat(progress.messages)
                    .filteredOn(m -> m.startsWith("Square, batch 2 of 2: "))
                    .hasSize(7)
                    .first()
                    .isEqualTo(
                            "Square, batch 2 of 2: 8 of 8 examples in the last pass, queries so"
                                    + " far: 1 per example");
            assertThat(progress.messages)
                    .contains(
                            "Square, batch 1 of 2: 8 of 8 examples in the last pass, queries so"
                                    + " far: 7 per example");
            assertThat(progress.last).isEqualTo(progress.max);
            // batch 2's Square is the 4th stage: its updates move through that stage's units, by
            // the share of Square's budget spent (1 + 6 queries per example), without leaving it
            List<Long> within = new ArrayList<>();
            for (int i = 0; i < progress.messages.size(); i++) {
                if (progress.messages.get(i).startsWith("Square, batch 2 of 2: ")) {
                    within.add(progress.positions.get(i));
                }
            }
            long stage = RobustnessEvaluator.UNITS_PER_STAGE;
            assertThat(within).isSorted().doesNotHaveDuplicates();
            assertThat(within).allSatisfy(p -> assertThat(p).isBetween(3 * stage, 4 * stage - 1));
            assertThat(within.get(0)).isEqualTo(3 * stage + stage / 7);
        }

        @Test
        void should_know_the_query_budgets_of_the_built_in_attacks() {
            List<Attack> standard = Attacks.autoAttack(ThreatModel.linf(8 / 255.0));
            // the counts the cascade reports for examples nothing breaks: 102, 1 + 9 × 101,
            // 1 + 9 × 200, 5,002
            assertThat(standard)
                    .extracting(attack -> attack.queryBudget().orElseThrow())
                    .containsExactly(102L, 910L, 1801L, 5002L);
            assertThat(Attacks.pgd20().queryBudget()).isEmpty();
        }

        @Test
        void should_reject_a_negative_progress_interval() {
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    RobustnessEvaluator.builder()
                                            .optProgressInterval(Duration.ofMillis(-1)))
                    .withMessage("interval must not be negative but was PT-0.001S");
        }
    }

    /**
     * AutoAttack's standard cascade with short settings, at ε = 2/255 so that every attack has
     * survivors to work on.
     */
    static List<Attack> shortAutoAttack() {
        List<Attack> standard = Attacks.autoAttack(ThreatModel.linf(2 / 255.0));
        return List.of(
                ((ApgdAttack) standard.get(0)).withSteps(3),
                ((ApgdAttack) standard.get(1)).withSteps(2).withTargetClasses(2),
                ((FabAttack) standard.get(2)).withSteps(3).withTargetClasses(2),
                ((SquareAttack) standard.get(3)).withQueries(10));
    }

    @Nested
    class AutoAttackCascade {
        @Test
        void should_keep_the_books_of_the_standard_cascade() {
            RobustnessReport report =
                    quiet(shortAutoAttack())
                            .build()
                            .evaluate(
                                    TrainedModels.shapes().getBlock(),
                                    TrainedModels.shapesTest(),
                                    32,
                                    7L);
            System.out.println("AutoAttack (short): " + summary(report));
            assertThat(report.attacks())
                    .extracting(AttackResult::name)
                    .containsExactly("APGD-CE", "APGD-T", "FAB-T", "Square");
            assertThat(report.brokenBy()).hasSize(32);
            int previous = report.cleanAccuracy().correct();
            for (int k = 0; k < 4; k++) {
                AttackResult result = report.attacks().get(k);
                int code = k;
                long broken = report.brokenBy().stream().filter(c -> c == code).count();
                assertThat(result.attacked()).isEqualTo(previous);
                assertThat(broken).isEqualTo(previous - result.cumulativeAccuracy().correct());
                if (result.attacked() > 0) {
                    assertThat(result.queries()).isPositive();
                }
                previous = result.cumulativeAccuracy().correct();
            }
            AttackResult square = report.attacks().get(3);
            // one clean pass, one start and at most 10 proposals per example
            assertThat(square.queries()).isLessThanOrEqualTo(12L * square.attacked());
            assertThat(report.attacks().get(0).parameters()).containsEntry("type", "APGD");
            assertThat(report.attacks().get(2).parameters()).containsEntry("type", "FAB");
            assertThat(square.parameters()).containsEntry("type", "Square");
            assertThat(report.robustAccuracy().correct())
                    .isLessThanOrEqualTo(report.cleanAccuracy().correct());
            assertThat(report.attacks().get(0).attacked()).isPositive();
        }
    }

    @Nested
    class Resume {
        @TempDir Path directory;

        RobustnessEvaluator.Builder evaluator() {
            return quiet(shortAutoAttack()).optBatchSize(8).optSeed(3);
        }

        RobustnessReport evaluate(RobustnessEvaluator evaluator) {
            return evaluator.evaluate(
                    TrainedModels.shapes().getBlock(), TrainedModels.shapesTest(), 24, 7L);
        }

        @Test
        void should_continue_an_interrupted_evaluation_to_the_uninterrupted_report()
                throws java.io.IOException {
            RobustnessReport uninterrupted = evaluate(evaluator().build());
            Path state = directory.resolve("nested/state.json");
            // 3 batches × 5 stages (clean, 4 attacks): stop after the 7th, APGD-CE of batch 2
            assertThatIllegalStateException()
                    .isThrownBy(
                            () ->
                                    evaluate(
                                            evaluator()
                                                    .optStatePath(state)
                                                    .optProgress(
                                                            new Interrupting(
                                                                    7
                                                                            * RobustnessEvaluator
                                                                                    .UNITS_PER_STAGE))
                                                    .build()))
                    .withMessage("interrupted");
            assertThat(state).exists();
            try (var siblings = java.nio.file.Files.list(directory.resolve("nested"))) {
                assertThat(siblings.map(p -> p.getFileName().toString()))
                        .as("no temporary file of the state's atomic writes is left")
                        .containsExactly("state.json");
            }
            RecordingProgress progress = new RecordingProgress();
            RobustnessReport resumed =
                    evaluate(evaluator().optStatePath(state).optProgress(progress).build());
            assertThat(progress.last).isEqualTo(15 * RobustnessEvaluator.UNITS_PER_STAGE);
            assertThat(withoutTimes(resumed)).isEqualTo(withoutTimes(uninterrupted));
            // a finished state gives its report again
            assertThat(withoutTimes(evaluate(evaluator().optStatePath(state).build())))
                    .isEqualTo(withoutTimes(uninterrupted));
        }

        @Test
        void should_refuse_the_state_of_another_evaluation() throws Exception {
            Path state = directory.resolve("state.json");
            evaluate(evaluator().optStatePath(state).build());
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> evaluate(evaluator().optSeed(4).optStatePath(state).build()))
                    .withMessageStartingWith("statePath " + state)
                    .withMessageContaining("seed was 3, now 4");
            Files.writeString(state, "{\"schema\": \"other/1\"}");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> evaluate(evaluator().optStatePath(state).build()))
                    .withMessageStartingWith("statePath must hold an evaluation state of schema");
        }
    }

    /** Stops the evaluation at a given stage, as a kill would, after its state was written. */
    static final class Interrupting extends RecordingProgress {
        private final long stopAt;

        Interrupting(long stopAt) {
            this.stopAt = stopAt;
        }

        @Override
        public void update(long progress, String message) {
            super.update(progress, message);
            if (progress == stopAt) {
                throw new IllegalStateException("interrupted");
            }
        }
    }

    /** Records what the evaluator reports. */
    static class RecordingProgress implements Progress {
        long max;
        long last;
        boolean ended;
        final List<String> messages = new ArrayList<>();
        final List<Long> positions = new ArrayList<>();

        @Override
        public void reset(String message, long max, String trailingMessage) {
            this.max = max;
        }

        @Override
        public void start(long initialProgress) {
            last = initialProgress;
        }

        @Override
        public void end() {
            ended = true;
        }

        @Override
        public void increment(long increment) {
            last += increment;
        }

        @Override
        public void update(long progress, String message) {
            last = progress;
            messages.add(message);
            positions.add(progress);
        }
    }
}
