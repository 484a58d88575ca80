package dev.awp.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.attack.Attack;
import dev.awp.attack.ThreatModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EvaluateCommand}'s options, without Spark: every bad one exits with status 2. */
class EvaluateCommandTest {

    @TempDir Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return EvaluateCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private List<String> valid() throws IOException {
        Path model = Files.createFile(temp.resolve("m.pt"));
        Path data = Files.createDirectory(temp.resolve("test.parquet"));
        return new ArrayList<>(
                List.of(
                        "--model", model.toString(),
                        "--data", data.toString(),
                        "--shape", "3x32x32",
                        "--classes", "10",
                        "--output", temp.resolve("out").toString()));
    }

    private int runWith(List<String> args) {
        return run(args.toArray(String[]::new));
    }

    @Test
    void should_print_the_usage_on_help() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: spark-submit");
    }

    @Test
    void should_exit_2_naming_an_unknown_option() {
        assertThat(run("--modle", "x")).isEqualTo(2);
        assertThat(err()).startsWith("awp-spark: unknown option --modle\n").contains("Usage:");
    }

    @Test
    void should_exit_2_naming_a_missing_required_option() throws IOException {
        List<String> args = valid();
        args.subList(8, 10).clear(); // --output
        assertThat(runWith(args)).isEqualTo(2);
        assertThat(err()).startsWith("awp-spark: --output is required\n");
    }

    @Test
    void should_exit_2_naming_a_model_that_does_not_exist() throws IOException {
        List<String> args = valid();
        args.set(1, temp.resolve("absent.pt").toString());
        assertThat(runWith(args)).isEqualTo(2);
        assertThat(err())
                .startsWith(
                        "awp-spark: --model must exist but "
                                + temp.resolve("absent.pt")
                                + " does not\n");
    }

    @Test
    void should_exit_2_on_a_bad_shape_classes_norm_epsilon_or_attack() throws IOException {
        String[][] cases = {
            {"--shape", "3x32", "awp-spark: --shape must be CxHxW (e.g. 3x32x32) but was '3x32'"},
            {"--classes", "1", "awp-spark: --classes must be an integer >= 2 but was '1'"},
            {"--norm", "l1", "awp-spark: --norm must be linf or l2 but was 'l1'"},
            {"--epsilon", "-1", "awp-spark: --epsilon must be a finite number > 0 but was '-1'"},
            {
                "--attacks",
                "apgd-ce,pgd",
                "awp-spark: --attacks must be autoattack or a comma list of apgd-ce, apgd-dlr,"
                        + " apgd-t, fab-t, fab, square but held 'pgd'"
            },
        };
        for (String[] bad : cases) {
            err.reset();
            List<String> args = valid();
            args.add(bad[0]);
            args.add(bad[1]);
            assertThat(runWith(args)).as(bad[0]).isEqualTo(2);
            assertThat(err()).as(bad[0]).startsWith(bad[2] + "\n");
            Files.delete(temp.resolve("m.pt"));
            Files.delete(temp.resolve("test.parquet"));
        }
    }

    @Test
    void should_ask_for_the_block_factory_of_a_parameter_directory() throws IOException {
        List<String> args = valid();
        Path dir = Files.createDirectory(temp.resolve("params"));
        args.set(1, dir.toString());
        assertThat(runWith(args)).isEqualTo(2);
        assertThat(err())
                .startsWith(
                        "awp-spark: --block-factory must name the BlockFactory of the DJL"
                                + " parameters in "
                                + dir);
    }

    @Test
    void should_expand_autoattack_and_apply_steps_queries_and_the_threat_model() {
        List<Attack> attacks =
                EvaluateCommand.attacks("autoattack,apgd-dlr", ThreatModel.l2(0.5), 7, 30);
        assertThat(attacks)
                .extracting(Attack::name)
                .containsExactly("APGD-CE", "APGD-T", "FAB-T", "Square", "APGD-DLR");
        assertThat(attacks)
                .allSatisfy(a -> assertThat(a.threatModel()).isEqualTo(ThreatModel.l2(0.5)));
    }
}
