package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import org.junit.jupiter.api.Test;

class EvaluationSnippetTest {

    @Test
    void should_evaluate_and_export_the_report() {
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(SmallCnn.builder().setNumClasses(10).optWidth(4).build());
            model.getBlock()
                    .initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
            String json =
                    EvaluationSnippet.evaluate(model.getBlock(), SyntheticShapes.test(16, 0), 16);
            assertThat(json).contains("PGD-20").contains("APGD-CE");
        }
    }
}
