package dev.awp.djl.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * What an {@link EvaluationRun} tells about each example beyond its {@code brokenBy} code: the
 * clean prediction and, per attack, whether the attack ran on it and whether it survived. A full
 * evaluation keeps none of it ({@link #NONE}); an evaluation of a part ({@link
 * RobustnessEvaluator#evaluatePart}) records it for the per-example table.
 */
class ExampleLog {

    /** Records nothing. */
    static final ExampleLog NONE = new ExampleLog();

    /** Records the clean predictions and the labels of one batch, in order. */
    void clean(long[] predicted, long[] labels) {}

    /**
     * Records attack {@code k} on a batch of {@code size}: {@code survived[j]} and the forward
     * passes {@code queries[j]} of row {@code rows[j]} (an empty {@code queries}: not counted).
     */
    void attack(int k, int size, long[] rows, boolean[] survived, long[] queries) {}

    /** A log that keeps everything, for {@code attacks} attacks. */
    static Recording recording(int attacks) {
        return new Recording(attacks);
    }

    /** The log of a part: predictions and per-attack verdicts of every example, in order. */
    static final class Recording extends ExampleLog {
        final List<Integer> labels = new ArrayList<>();
        final List<Integer> predictions = new ArrayList<>();
        final List<List<Byte>> verdicts = new ArrayList<>();
        final List<List<Long>> queries = new ArrayList<>();

        private Recording(int attacks) {
            for (int k = 0; k < attacks; k++) {
                verdicts.add(new ArrayList<>());
                queries.add(new ArrayList<>());
            }
        }

        @Override
        void clean(long[] predicted, long[] labels) {
            for (int i = 0; i < predicted.length; i++) {
                predictions.add(Math.toIntExact(predicted[i]));
                this.labels.add(Math.toIntExact(labels[i]));
            }
            for (int k = 0; k < verdicts.size(); k++) {
                for (int i = 0; i < predicted.length; i++) {
                    verdicts.get(k).add(EvaluationPart.NOT_ATTACKED);
                    queries.get(k).add(0L);
                }
            }
        }

        @Override
        void attack(int k, int size, long[] rows, boolean[] survived, long[] queries) {
            List<Byte> attack = verdicts.get(k);
            int offset = attack.size() - size;
            for (int j = 0; j < rows.length; j++) {
                attack.set(
                        offset + (int) rows[j],
                        survived[j] ? EvaluationPart.SURVIVED : EvaluationPart.BROKEN);
                if (queries.length > 0) {
                    this.queries.get(k).set(offset + (int) rows[j], queries[j]);
                }
            }
        }
    }
}
