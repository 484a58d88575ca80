/**
 * awp: adversarial training with Adversarial Weight Perturbation (AWP) for the JVM.
 *
 * <p>This module holds engine-agnostic, immutable and validated specifications; the {@code awp-djl}
 * module binds them to DJL. AWP is described in Wu, Xia, Wang, <a
 * href="https://arxiv.org/abs/2004.05884"><i>Adversarial Weight Perturbation Helps Robust
 * Generalization</i></a>, NeurIPS 2020.
 *
 * <ul>
 *   <li>{@link dev.awp.attack}: threat models and input attacks (PGD, FGSM, custom);
 *   <li>{@link dev.awp.perturbation}: the weight perturbation of AWP;
 *   <li>{@link dev.awp.objective}: adversarial training objectives (PGD-AT, TRADES, MART, custom);
 *   <li>{@link dev.awp.training}: the training specification, optimizers, learning-rate schedules,
 *       evaluation and checkpoint plans, and the published recipes;
 *   <li>{@link dev.awp.report}: accuracies, per-epoch metrics and the training report;
 *   <li>{@link dev.awp.event}: training events and their listener.
 * </ul>
 */
package dev.awp;
