/**
 * Adversarial Weight Perturbation on DJL: {@link dev.awp.djl.perturbation.AwpOptimizer} wraps any
 * DJL {@code Optimizer} so that existing adversarial training code gains AWP with one added call.
 *
 * <p>For each perturbed tensor {@code l} (by default every convolution kernel and linear weight),
 * {@link dev.awp.djl.perturbation.AwpOptimizer#perturb} computes
 *
 * <pre>
 *     v_l = γ · ‖w_l‖ · g_l / (‖g_l‖ + 1e-20),     g_l = ∇_{w_l} L(w)
 * </pre>
 *
 * on the batch, in training mode, without changing the model's BatchNorm running statistics, and
 * adds it to the weights; the wrapped optimizer's step is then taken at {@code w + v} and {@code v}
 * is subtracted again (Wu, Xia, Wang, <a href="https://arxiv.org/abs/2004.05884">Adversarial Weight
 * Perturbation Helps Robust Generalization</a>, NeurIPS 2020).
 */
package dev.awp.djl.perturbation;
