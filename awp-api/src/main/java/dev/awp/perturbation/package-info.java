/**
 * Adversarial Weight Perturbation: the specification of the weight perturbation {@code v}.
 *
 * <p>At each training step, after the attack, AWP computes for every perturbed tensor {@code l}
 *
 * <pre>
 *     v_l = γ · ‖w_l‖ · g_l / (‖g_l‖ + 1e-20),     g_l = ∇_{w_l} L(w)
 * </pre>
 *
 * (L2 norms of whole tensors, so {@code ‖v_l‖ = γ‖w_l‖}), takes the optimizer step at {@code w + v}
 * and restores {@code w}. See Wu, Xia, Wang, <a href="https://arxiv.org/abs/2004.05884">Adversarial
 * Weight Perturbation Helps Robust Generalization</a>, NeurIPS 2020.
 */
@ValueStyle
package dev.awp.perturbation;

import dev.awp.internal.ValueStyle;
