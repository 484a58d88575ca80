package dev.awp.djl.attack;

import java.util.Arrays;

/**
 * FAB's projection onto a hyperplane inside a box (Croce and Hein, ICML 2020, Section 3.1): the
 * smallest step {@code δ} in the L∞ or L2 norm with {@code ⟨w, δ⟩ = r} and {@code lo ≤ δ ≤ hi}
 * ({@code lo ≤ 0 ≤ hi}: the input domain seen from the point projected).
 *
 * <p>By the optimality conditions the solution is {@code δ_j = clip(t·a_j, lo_j, hi_j)} for the
 * smallest {@code t ≥ 0} that reaches {@code r}, with {@code a = sign(w)} for L∞ and {@code a = w}
 * for L2 (after flipping {@code w} and {@code r} so that {@code r > 0}). The reached value {@code
 * g(t) = Σ_j w_j·clip(t·a_j, lo_j, hi_j)} is continuous, non-decreasing and linear between the
 * breakpoints where a component saturates, so sorting the breakpoints gives {@code t} exactly. When
 * the box does not let the step reach the hyperplane, {@code t = ∞}: the corner of the box that
 * goes furthest towards it.
 */
final class FabProjection {

    private FabProjection() {}

    /**
     * The projection step of one point.
     *
     * @param w the hyperplane's normal, {@code n} values from {@code offset}
     * @param offset where the point's values start in {@code w}, {@code lo}, {@code hi} and {@code
     *     out}
     * @param n the number of components
     * @param r the value {@code ⟨w, δ⟩} must take (the hyperplane's offset minus {@code ⟨w, p⟩})
     * @param lo the lower limits of {@code δ}, each {@code <= 0}
     * @param hi the upper limits of {@code δ}, each {@code >= 0}
     * @param linf true for the L∞ norm, false for L2
     * @param out receives {@code δ}
     */
    static void project(
            float[] w,
            int offset,
            int n,
            double r,
            double[] lo,
            double[] hi,
            boolean linf,
            double[] out) {
        if (r == 0 || Double.isNaN(r)) {
            Arrays.fill(out, offset, offset + n, 0);
            return;
        }
        double sign = r > 0 ? 1 : -1;
        double target = Math.abs(r);
        long[] order = new long[n];
        double totalSlope = 0;
        int count = 0;
        for (int j = 0; j < n; j++) {
            double wj = sign * w[offset + j];
            if (wj == 0) {
                continue;
            }
            double cap = wj > 0 ? hi[offset + j] : -lo[offset + j];
            double slope = linf ? Math.abs(wj) : wj * wj;
            double breakpoint = linf ? cap : cap / Math.abs(wj);
            totalSlope += slope;
            // non-negative floats order as their bits; the index breaks ties
            order[count++] =
                    ((long) Float.floatToIntBits((float) Math.max(breakpoint, 0)) << 32) | j;
        }
        Arrays.sort(order, 0, count);
        double saturated = 0;
        double slopeLeft = totalSlope;
        double t = Double.POSITIVE_INFINITY;
        for (int k = 0; k < count; k++) {
            int j = (int) (order[k] & 0xffffffffL);
            double wj = sign * w[offset + j];
            double cap = wj > 0 ? hi[offset + j] : -lo[offset + j];
            double slope = linf ? Math.abs(wj) : wj * wj;
            double breakpoint = linf ? cap : cap / Math.abs(wj);
            if (saturated + breakpoint * slopeLeft >= target) {
                t = slopeLeft > 0 ? (target - saturated) / slopeLeft : breakpoint;
                break;
            }
            saturated += Math.abs(wj) * cap;
            slopeLeft -= slope;
        }
        for (int j = 0; j < n; j++) {
            double wj = sign * w[offset + j];
            double a = linf ? Math.signum(wj) : wj;
            double step = a == 0 ? 0 : t * a;
            out[offset + j] = Math.min(Math.max(step, lo[offset + j]), hi[offset + j]);
        }
    }
}
