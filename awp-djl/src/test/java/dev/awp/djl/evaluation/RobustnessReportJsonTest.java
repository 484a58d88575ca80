package dev.awp.djl.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.awp.attack.InputDomain;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.testing.FeatureBox;
import dev.awp.report.Accuracy;
import dev.awp.report.AttackAccounting;
import dev.awp.report.AttackResult;
import dev.awp.report.RobustnessReport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RobustnessReportJsonTest {

    static RobustnessReport report(ThreatModel tm) {
        return RobustnessReport.builder()
                .dataset("transactions")
                .examples(100)
                .seed(0)
                .batchSize(32)
                .threatModel(tm)
                .accounting(AttackAccounting.CASCADE)
                .cleanAccuracy(Accuracy.of(80, 100))
                .addAttacks(
                        AttackResult.builder()
                                .name("PGD-20")
                                .attacked(80)
                                .survived(50)
                                .cumulativeAccuracy(Accuracy.of(50, 100))
                                .elapsedSeconds(1)
                                .build())
                .elapsedSeconds(3)
                .build();
    }

    @Nested
    class ThreatModels {
        @Test
        void should_read_back_per_feature_bounds() {
            RobustnessReport report = report(ThreatModel.l2(0.25, FeatureBox.DOMAIN));

            RobustnessReport read =
                    RobustnessReportJson.fromJson(RobustnessReportJson.toJson(report));

            assertThat(read).isEqualTo(report);
            assertThat(read.threatModel().domain()).isEqualTo(FeatureBox.DOMAIN);
        }

        @Test
        void should_write_the_bounds_of_every_feature_and_their_envelope() {
            JsonObject tm =
                    RobustnessReportJson.toTree(report(ThreatModel.linf(0.25, FeatureBox.DOMAIN)))
                            .getAsJsonObject("threatModel");

            assertThat(tm.get("lowerBound").getAsDouble()).isEqualTo(-1.0);
            assertThat(tm.get("upperBound").getAsDouble()).isEqualTo(1000.0);
            JsonObject features = tm.getAsJsonObject("featureBounds");
            assertThat(features.getAsJsonArray("lowerBounds").toString())
                    .isEqualTo("[0.0,0.0,-1.0]");
            assertThat(features.getAsJsonArray("upperBounds").toString())
                    .isEqualTo("[1000.0,10.0,1.0]");
        }

        @Test
        void should_write_scalar_bounds_as_before() {
            ThreatModel scalar = ThreatModel.linf(8 / 255.0, InputDomain.of(-1, 1));
            JsonObject tm =
                    RobustnessReportJson.toTree(report(scalar)).getAsJsonObject("threatModel");

            assertThat(tm.keySet()).containsExactly("norm", "epsilon", "lowerBound", "upperBound");
            assertThat(RobustnessReportJson.fromJson(RobustnessReportJson.toJson(report(scalar))))
                    .isEqualTo(report(scalar));
        }

        @Test
        void should_read_a_document_without_feature_bounds_as_scalar_bounds() {
            // as written before per-feature bounds existed
            String json =
                    RobustnessReportJson.toJson(report(ThreatModel.linf(0.1)))
                            .replace("\"lowerBound\": 0.0", "\"lowerBound\": -2.0");

            ThreatModel read = RobustnessReportJson.fromJson(json).threatModel();

            assertThat(read.featureBounds()).isEmpty();
            assertThat(read.domain()).isEqualTo(InputDomain.of(-2, 1));
        }
    }
}
