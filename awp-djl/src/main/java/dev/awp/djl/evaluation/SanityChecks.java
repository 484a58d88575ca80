package dev.awp.djl.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.awp.attack.Attack;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.Norm;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.attack.AttackTarget;
import dev.awp.djl.attack.InputGradients;
import dev.awp.djl.internal.DomainBounds;
import dev.awp.djl.internal.Scopes;
import dev.awp.djl.objective.Losses;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The evaluator's sanity checks: errors for invalid inputs and outputs, warnings for hints. */
final class SanityChecks {

    /** Slack for float32 rounding in {@code x ± ε} and in the L2 norm. */
    private static final double TOLERANCE = 1e-5;

    private SanityChecks() {}

    /** Inputs must lie within the threat model's input domain. */
    static void checkBounds(NDArray x, ThreatModel tm, int batchIndex) {
        if (tm.featureBounds().isPresent()) {
            checkFeatureBounds(x, tm, batchIndex);
            return;
        }
        float min = x.min().getFloat();
        float max = x.max().getFloat();
        if (min < tm.lowerBound() || max > tm.upperBound() || Float.isNaN(min + max)) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "inputs must be within the threat model's bounds [%s, %s] but batch %d"
                                    + " had values in [%s, %s]: feed raw inputs and normalize"
                                    + " inside the model, or set the threat model's bounds",
                            tm.lowerBound(),
                            tm.upperBound(),
                            batchIndex,
                            min,
                            max));
        }
    }

    private static void checkFeatureBounds(NDArray x, ThreatModel tm, int batchIndex) {
        try (NDManager scope = x.getManager().newSubManager()) {
            Scopes.borrow(scope, x);
            DomainBounds domain = DomainBounds.of(tm.domain(), x, scope);
            NDList scalars = domain.outsideScalars(x);
            scalars.add(x.sum());
            double[] s = NDArrays.stack(castTo64(scalars)).toDoubleArray();
            String outside = domain.describeOutside(s, 0);
            if (outside != null || Double.isNaN(s[3])) {
                throw new IllegalArgumentException(
                        String.format(
                                Locale.ROOT,
                                "inputs must be within the threat model's per-feature bounds but"
                                        + " in batch %d %s: scale the inputs as the bounds"
                                        + " expect, or widen the threat model's featureBounds",
                                batchIndex,
                                outside == null ? "some values were NaN" : outside));
            }
        }
    }

    private static NDList castTo64(NDList scalars) {
        NDList cast = new NDList(scalars.size());
        for (NDArray scalar : scalars) {
            cast.add(scalar.toType(DataType.FLOAT64, false));
        }
        return cast;
    }

    /** An attack's outputs must respect its threat model. */
    static void checkThreatModel(Attack attack, NDArray x, NDArray adv) {
        ThreatModel tm = attack.threatModel();
        try (NDManager scope = x.getManager().newSubManager()) {
            Scopes.borrow(scope, x, adv);
            if (!adv.getShape().equals(x.getShape())) {
                throw new IllegalStateException(
                        String.format(
                                Locale.ROOT,
                                "attack %s must return inputs of shape %s but returned %s",
                                attack.name(),
                                x.getShape(),
                                adv.getShape()));
            }
            NDArray delta = adv.sub(x).toType(DataType.FLOAT64, false);
            long batch = x.getShape().get(0);
            double size =
                    tm.norm() == Norm.LINF
                            ? delta.abs().max().getDouble()
                            : delta.reshape(batch, -1).norm(new int[] {1}).max().getDouble();
            double min = adv.min().toType(DataType.FLOAT64, false).getDouble();
            double max = adv.max().toType(DataType.FLOAT64, false).getDouble();
            // x + δ is rounded at the scale of x: a float32 ulp per component (a few for a norm)
            double scale = x.abs().max().toType(DataType.FLOAT64, false).getDouble();
            double perExample = x.getShape().size() / (double) batch;
            double rounding =
                    Math.ulp((float) scale) * (tm.norm() == Norm.LINF ? 1 : Math.sqrt(perExample));
            boolean inBall = size <= tm.epsilon() * (1 + TOLERANCE) + TOLERANCE * 1e-2 + rounding;
            boolean inBounds;
            String bounds;
            String detail = "";
            if (tm.featureBounds().isPresent()) {
                DomainBounds domain = DomainBounds.of(tm.domain(), x, scope);
                double[] s = NDArrays.stack(castTo64(domain.outsideScalars(adv))).toDoubleArray();
                String outside = domain.describeOutside(s, 0);
                inBounds = outside == null;
                bounds = "per-feature bounds";
                detail = inBounds ? "" : "; " + outside;
            } else {
                inBounds = min >= tm.lowerBound() && max <= tm.upperBound();
                bounds =
                        String.format(
                                Locale.ROOT, "bounds [%s, %s]", tm.lowerBound(), tm.upperBound());
            }
            if (!inBall || !inBounds || Double.isNaN(size)) {
                throw new IllegalStateException(
                        String.format(
                                Locale.ROOT,
                                "attack %s must stay within its threat model (%s ε = %s, %s) but"
                                        + " returned a perturbation of size %s and values in"
                                        + " [%s, %s]%s",
                                attack.name(),
                                tm.norm(),
                                tm.epsilon(),
                                bounds,
                                size,
                                min,
                                max,
                                detail));
            }
        }
    }

    /**
     * The warning checks on the first batch: zero input gradients, randomized outputs, outputs that
     * look like probabilities.
     *
     * @param logits the clean logits of the batch, in inference mode
     * @return the warnings, possibly empty
     */
    static List<String> firstBatch(AttackTarget target, NDArray x, NDArray y, NDArray logits) {
        List<String> warnings = new ArrayList<>();
        try (NDManager scope = x.getManager().newSubManager()) {
            Scopes.borrow(scope, x, y, logits);
            long batch = x.getShape().get(0);

            NDArray gradient =
                    InputGradients.of(
                            target,
                            x,
                            BatchNormMode.EVAL,
                            z -> Losses.perExampleCrossEntropy(z, y).sum());
            float[] perExample =
                    gradient.abs().reshape(batch, -1).sum(new int[] {1}).toFloatArray();
            int zero = 0;
            for (float value : perExample) {
                zero += value == 0f ? 1 : 0;
            }
            if (zero > 0) {
                warnings.add(
                        String.format(
                                Locale.ROOT,
                                "input gradients of the cross-entropy are exactly zero for %d of"
                                        + " %d examples of the first batch: a hint of gradient"
                                        + " masking (saturated softmax, non-differentiable or"
                                        + " quantizing layers); gradient attacks may overestimate"
                                        + " robustness, so confirm with a gradient-free attack",
                                zero,
                                batch));
            }

            NDArray again = target.logits(x, BatchNormMode.EVAL);
            double difference =
                    again.sub(logits).abs().max().toType(DataType.FLOAT64, false).getDouble();
            double scale = logits.abs().max().toType(DataType.FLOAT64, false).getDouble();
            if (difference > 1e-5 * (1 + scale)) {
                warnings.add(
                        String.format(
                                Locale.ROOT,
                                "two identical forward passes in inference mode differ by up to"
                                        + " %s: the model is randomized (dropout or noise at"
                                        + " inference?), and attacks need expectation over"
                                        + " transformation to be reliable",
                                difference));
            }

            double minimum = logits.min().toType(DataType.FLOAT64, false).getDouble();
            double maximum = logits.max().toType(DataType.FLOAT64, false).getDouble();
            double rowSumError =
                    logits.sum(new int[] {1})
                            .sub(1)
                            .abs()
                            .max()
                            .toType(DataType.FLOAT64, false)
                            .getDouble();
            if (minimum >= 0 && maximum <= 1 && rowSumError < 1e-3) {
                warnings.add(
                        "the model's outputs are in [0, 1] and sum to 1: it seems to output"
                                + " probabilities; attacks and losses expect logits (remove the"
                                + " final softmax)");
            }
        }
        return warnings;
    }
}
