/**
 * Diagnostics of the AWP paper: the weight loss landscape ({@link
 * dev.awp.djl.diagnostics.WeightLandscape}), the comparison of a random and an adversarial weight
 * perturbation of the same size ({@link dev.awp.djl.diagnostics.PerturbationComparison}), and plots
 * of both and of training curves ({@link dev.awp.djl.diagnostics.Plots}, which needs the optional
 * XChart dependency).
 */
package dev.awp.djl.diagnostics;
