package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.evaluation.RobustnessEvaluator;
import dev.awp.djl.evaluation.RobustnessReportJson;
import dev.awp.djl.model.SmallCnn;
import dev.awp.report.RobustnessReport;
import dev.awp.report.TrainingReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CustomAttackExampleTest {

    @Test
    void should_train_with_the_custom_attack() {
        TrainingReport report =
                CustomAttackExample.runExample(
                        "--train-size",
                        "64",
                        "--test-size",
                        "16",
                        "--epochs",
                        "1",
                        "--width",
                        "4",
                        "--quiet");

        assertThat(report.training().attack().name()).isEqualTo("MI-FGSM-5");
        assertThat(report.epochs()).hasSize(1);
        assertThat(report.epochs().get(0).awpActive()).isTrue();
    }

    @Test
    void should_show_its_parameters_in_a_robustness_report() {
        CustomAttackExample.MomentumIterativeFgsm attack =
                new CustomAttackExample.MomentumIterativeFgsm(8 / 255.0, 4, 0.5);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = SmallCnn.builder().setNumClasses(10).optWidth(2).build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            RobustnessReport report =
                    RobustnessEvaluator.builder()
                            .optAttacks(List.of(attack))
                            .optBatchSize(8)
                            .optNoProgress()
                            .optSanityChecks(false)
                            .build()
                            .evaluate(block, SyntheticShapes.test(8, 0));

            JsonObject written =
                    JsonParser.parseString(RobustnessReportJson.toJson(report))
                            .getAsJsonObject()
                            .getAsJsonArray("attacks")
                            .get(0)
                            .getAsJsonObject();
            assertThat(written.get("name").getAsString()).isEqualTo("MI-FGSM-4");
            Map<String, String> parameters = new LinkedHashMap<>();
            written.getAsJsonObject("parameters")
                    .entrySet()
                    .forEach(e -> parameters.put(e.getKey(), e.getValue().getAsString()));
            assertThat(parameters)
                    .containsExactly(
                            entry(
                                    "type",
                                    CustomAttackExample.MomentumIterativeFgsm.class.getName()),
                            entry("norm", "LINF"),
                            entry("epsilon", Double.toString(8 / 255.0)),
                            entry("steps", "4"),
                            entry("stepSize", Double.toString(8 / 255.0 / 4)),
                            entry("decay", "0.5"),
                            entry("batchNormMode", "EVAL"));
        }
    }

    @Test
    void should_stay_within_the_epsilon_ball_and_the_input_bounds() {
        CustomAttackExample.MomentumIterativeFgsm attack =
                new CustomAttackExample.MomentumIterativeFgsm(8 / 255.0, 3, 1.0);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = SmallCnn.builder().setNumClasses(10).optWidth(2).build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            NDArray x = manager.randomUniform(0f, 1f, new Shape(4, 3, 32, 32));
            NDArray y = manager.create(new long[] {0, 1, 2, 3});
            NDArray adversarial = attack.generate(AttackTarget.of(block), x, y);

            float maxChange = adversarial.sub(x).abs().max().getFloat();
            assertThat(maxChange).isLessThanOrEqualTo(8 / 255f + 1e-6f).isGreaterThan(0f);
            assertThat(adversarial.min().getFloat()).isGreaterThanOrEqualTo(0f);
            assertThat(adversarial.max().getFloat()).isLessThanOrEqualTo(1f);
        }
    }
}
