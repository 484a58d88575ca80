package dev.awp.examples.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FewLabelsLab} end to end on a tiny budget ({@code --quick}: one seed, 40 labelled images,
 * a pool of 40, 2 epochs): the report has its sections, all four models, per-seed rows whose
 * numbers are percentages, the pseudo-labels' accuracy and the APGD-CE + APGD-T column.
 */
class FewLabelsLabTest {

    private static final Pattern ROW =
            Pattern.compile(
                    "\\| 0 \\| ([A-Z+ -]+?) \\| ([0-9.]+) \\| ([0-9.]+) \\| ([0-9.]+) \\|"
                            + " ([0-9.]+) \\|");

    @Test
    void should_report_every_model_with_numbers_in_range(@TempDir Path dir) throws Exception {
        Path report = FewLabelsLab.runExample("--quick", "--output", dir.toString());
        String text = Files.readString(report);

        assertThat(text)
                .startsWith("# Few labels: RST-AWP vs TRADES-AWP, with and without EMA")
                .contains("Settings: 1 seeds; 40 labelled, 40 pool, 40 test images")
                .contains("pseudo-label loss weight 1.0")
                .contains("APGD-CE + APGD-T (AutoAttack's first two attacks) on the first 20")
                .contains("Rules (fixed before the run): ")
                .contains("## Mean over seeds (95 % t-interval), percent")
                .contains("| method | clean | PGD-20 test | APGD-CE + APGD-T test |")
                .contains("## Verdicts (paired by seed, test PGD-20)")
                .contains("- RST-AWP − TRADES-AWP: ")
                .contains("## The same differences in APGD-CE + APGD-T accuracy");
        Matcher pseudo =
                Pattern.compile("Pseudo-label accuracy on the pool, per seed: ([0-9.]+) %")
                        .matcher(text);
        assertThat(pseudo.find()).as("pseudo-label accuracy reported").isTrue();
        assertThat(Double.parseDouble(pseudo.group(1))).isBetween(0.0, 100.0);

        List<String> methods = new ArrayList<>();
        Matcher row = ROW.matcher(text);
        while (row.find()) {
            methods.add(row.group(1));
            double clean = Double.parseDouble(row.group(2));
            double pgd = Double.parseDouble(row.group(3));
            double apgd = Double.parseDouble(row.group(4));
            double train = Double.parseDouble(row.group(5));
            for (double value : new double[] {clean, pgd, apgd, train}) {
                assertThat(value).as(row.group()).isBetween(0.0, 100.0);
            }
            // robust counts only examples also right at the clean input
            assertThat(pgd).as(row.group()).isLessThanOrEqualTo(clean);
        }
        assertThat(methods)
                .containsExactlyInAnyOrder(
                        "TRADES-AWP", "TRADES-AWP + EMA", "RST-AWP", "RST-AWP + EMA");
        assertThat(dir.resolve("RST-AWP-seed0")).isDirectory();
    }
}
