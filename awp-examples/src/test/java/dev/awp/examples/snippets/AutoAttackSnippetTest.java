package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoAttackSnippetTest {

    @TempDir Path directory;

    @Test
    void should_run_the_standard_cascade_and_keep_its_state() {
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).optWidth(4).build());
            model.getBlock()
                    .initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
            Path state = directory.resolve("state.json");
            RobustnessReport report =
                    AutoAttackSnippet.evaluate(
                            model.getBlock(), SyntheticShapes.test(8, 0), 8, state);
            assertThat(report.attacks())
                    .extracting(AttackResult::name)
                    .containsExactly("APGD-CE", "APGD-T", "FAB-T", "Square");
            assertThat(report.brokenBy()).hasSize(8);
            assertThat(state).exists();
        }
    }
}
