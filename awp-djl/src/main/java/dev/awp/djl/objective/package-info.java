/**
 * Adversarial training objectives on DJL NDArrays.
 *
 * <p>{@link dev.awp.djl.objective.Losses} computes the losses of PGD-AT, TRADES and MART, and the
 * Carlini–Wagner margin an attack ascends, from logits and labels, in the logits' data type and
 * differentiably with respect to every logits argument.
 */
package dev.awp.djl.objective;
