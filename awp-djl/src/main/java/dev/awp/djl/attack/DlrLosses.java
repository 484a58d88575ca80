package dev.awp.djl.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.awp.djl.internal.Logits;

/**
 * The difference-of-logits-ratio losses of APGD (Croce and Hein, 2020), per example, in the sign an
 * attack ascends. With {@code z_π1 ≥ z_π2 ≥ …} the sorted logits:
 *
 * <ul>
 *   <li>DLR: {@code −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 10⁻¹²)};
 *   <li>targeted DLR: {@code −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 10⁻¹²)}.
 * </ul>
 *
 * Both read the sorted logits once, as the reference's {@code dlr_loss} does: the best other logit
 * {@code max_{i≠y} z_i} is {@code z_π2} when {@code z_y} is the largest and {@code z_π1} otherwise
 * (on a tie for the largest both are the same value), so no masked maximum over the classes is
 * needed. The callers check the number of classes first (3 and 4 at least), so that no index is out
 * of range. Results are attached to the logits' manager (call inside a scope).
 */
final class DlrLosses {

    private static final double DENOMINATOR_FLOOR = 1e-12;

    private DlrLosses() {}

    /** The untargeted DLR loss, shape (B); needs C ≥ 3. */
    static NDArray dlr(NDArray logits, NDArray labels) {
        long classes = logits.getShape().get(1);
        NDArray sorted = logits.sort(1);
        NDArray top = sorted.get(":, {}", classes - 1);
        NDArray second = sorted.get(":, {}", classes - 2);
        NDArray third = sorted.get(":, {}", classes - 3);
        NDArray correct = Logits.pick(logits, Logits.classIndices(labels));
        NDArray bestOther = NDArrays.where(correct.gte(top), second, top);
        NDArray numerator = correct.sub(bestOther);
        return numerator.div(top.sub(third).add(DENOMINATOR_FLOOR)).neg();
    }

    /** The targeted DLR loss towards {@code targets}, shape (B); needs C ≥ 4. */
    static NDArray targetedDlr(NDArray logits, NDArray labels, NDArray targets) {
        long classes = logits.getShape().get(1);
        NDArray sorted = logits.sort(1);
        NDArray top = sorted.get(":, {}", classes - 1);
        NDArray third = sorted.get(":, {}", classes - 3);
        NDArray fourth = sorted.get(":, {}", classes - 4);
        NDArray numerator =
                Logits.pick(logits, Logits.classIndices(labels))
                        .sub(Logits.pick(logits, Logits.classIndices(targets)));
        NDArray denominator = top.sub(third.add(fourth).mul(0.5)).add(DENOMINATOR_FLOOR);
        return numerator.div(denominator).neg();
    }
}
