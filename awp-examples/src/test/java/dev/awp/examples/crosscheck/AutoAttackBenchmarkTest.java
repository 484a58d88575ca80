package dev.awp.examples.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The awp side of the benchmark with tiny budgets (the reference side needs Python). */
class AutoAttackBenchmarkTest {

    @TempDir Path directory;

    @Test
    void should_time_every_attack_on_the_awp_side() throws Exception {
        Map<String, double[]> medians =
                AutoAttackBenchmark.runExample(
                        "--model", "smallcnn",
                        "--examples", "2",
                        "--batch", "2",
                        "--iterations", "2",
                        "--queries", "3",
                        "--rounds", "1",
                        "--out", directory.toString());

        assertThat(medians).containsOnlyKeys("apgd-ce", "apgd-t", "fab-t", "square");
        assertThat(medians.values()).allSatisfy(m -> assertThat(m).hasSize(1));
        assertThat(medians.values()).allSatisfy(m -> assertThat(m[0]).isPositive());
        assertThat(directory.resolve("images.f32")).hasSize(2 * 3 * 32 * 32 * 4L);
    }

    @Test
    void should_reject_an_unknown_attack() {
        assertThatIllegalArgumentException()
                .isThrownBy(
                        () ->
                                AutoAttackBenchmark.runExample(
                                        "--attacks", "apgd-ce,pgd", "--out", directory.toString()))
                .withMessage("--attacks takes [apgd-ce, apgd-t, fab-t, square, fab] but had pgd");
    }
}
