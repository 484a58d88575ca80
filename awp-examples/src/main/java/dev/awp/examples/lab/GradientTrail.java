package dev.awp.examples.lab;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer wrapper that keeps what two candidate directions needing no backward pass at all are
 * made of, for {@link PerturbationFidelity} (measured, not offered): the SGD it wraps sees every
 * update gradient {@code g_t} (at {@code w + v}, on the step's {@code x'}), and this keeps, per
 * parameter on the host, the last one and {@code m_t = 0.9 m_{t-1} + g_t} (the gradient part of
 * SGD's momentum buffer). A step's candidate {@code v} is the paper's formula applied to the
 * previous step's {@code g} or {@code m}.
 */
final class GradientTrail extends Optimizer {
    private final Optimizer base;
    private final Map<String, float[]> last = new LinkedHashMap<>();
    private final Map<String, float[]> momentum = new LinkedHashMap<>();

    GradientTrail(Optimizer base) {
        super(new NoOptions());
        this.base = base;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        float[] g = grad.toFloatArray();
        last.put(parameterId, g);
        float[] m = momentum.computeIfAbsent(parameterId, id -> new float[g.length]);
        for (int k = 0; k < g.length; k++) {
            m[k] = 0.9f * m[k] + g[k];
        }
        base.update(parameterId, weight, grad);
    }

    /** {@code v = γ‖w‖ d / (‖d‖ + 1e-20)} per tensor, from the last g or from m. */
    List<float[]> direction(
            List<Pair<String, Parameter>> perturbed, List<float[]> w, boolean fromMomentum) {
        List<float[]> v = new ArrayList<>();
        for (int i = 0; i < perturbed.size(); i++) {
            float[] d = (fromMomentum ? momentum : last).get(perturbed.get(i).getValue().getId());
            float[] out = new float[w.get(i).length];
            if (d != null) {
                double wn = 0;
                double dn = 0;
                for (int k = 0; k < out.length; k++) {
                    wn += (double) w.get(i)[k] * w.get(i)[k];
                    dn += (double) d[k] * d[k];
                }
                double scale = PerturbationFidelity.GAMMA * Math.sqrt(wn) / (Math.sqrt(dn) + 1e-20);
                for (int k = 0; k < out.length; k++) {
                    out[k] = (float) (scale * d[k]);
                }
            }
            v.add(out);
        }
        return v;
    }

    private static final class NoOptions extends OptimizerBuilder<NoOptions> {
        @Override
        protected NoOptions self() {
            return this;
        }
    }
}
