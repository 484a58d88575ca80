package dev.awp.djl.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonObject;
import dev.awp.report.RobustnessReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@link RobustnessEvaluator#merge}: the parts of an evaluation replayed into one state. */
final class PartMerge {

    private PartMerge() {}

    static RobustnessReport merge(
            RobustnessEvaluator evaluator, String dataset, List<EvaluationPart> parts) {
        List<EvaluationPart> ordered = new ArrayList<>(parts);
        ordered.sort(Comparator.comparingInt(EvaluationPart::firstBatch));
        EvaluationState state = new EvaluationState(new JsonObject(), evaluator.attacks.size());
        Set<String> warnings = new LinkedHashSet<>();
        int nextBatch = 0;
        for (int p = 0; p < ordered.size(); p++) {
            EvaluationPart part = ordered.get(p);
            checkArgument(
                    part.batchSize() == evaluator.batchSize
                            && part.attacks() == evaluator.attacks.size(),
                    "parts must have batchSize %s and %s attacks but the part at batch %s had %s"
                            + " and %s",
                    evaluator.batchSize,
                    evaluator.attacks.size(),
                    part.firstBatch(),
                    part.batchSize(),
                    part.attacks());
            checkArgument(
                    part.firstBatch() == nextBatch,
                    "parts must cover the batches from 0 without gap or overlap but after batch %s"
                            + " came a part starting at batch %s",
                    nextBatch - 1,
                    part.firstBatch());
            checkArgument(
                    p == ordered.size() - 1 || part.size() % evaluator.batchSize == 0,
                    "parts other than the last must hold whole batches of %s but the part at batch"
                            + " %s held %s examples",
                    evaluator.batchSize,
                    part.firstBatch(),
                    part.size());
            int offset = state.total();
            state.recordPart(part);
            for (int i = 0; i < part.size(); i++) {
                checkArgument(
                        state.codes.get(offset + i) == part.brokenBy(i),
                        "parts must hold brokenBy codes that agree with their verdicts but example"
                                + " %s of the part at batch %s had %s, its verdicts give %s",
                        i,
                        part.firstBatch(),
                        part.brokenBy(i),
                        state.codes.get(offset + i));
            }
            warnings.addAll(part.warnings());
            nextBatch += part.batches();
        }
        return EvaluationRun.report(
                evaluator,
                dataset,
                Optional.empty(),
                state,
                ordered.get(0).environment(),
                List.copyOf(warnings));
    }
}
