/**
 * Robustness evaluation of DJL models.
 *
 * <p>{@link dev.awp.djl.evaluation.RobustnessEvaluator} measures clean accuracy and a cascade of
 * attacks (by default FGSM, PGD-20, PGD-100, CW∞, APGD-CE and APGD-T; AutoAttack's standard
 * APGD-CE, APGD-T, FAB-T and Square with {@code Attacks.autoAttack}) on a dataset or a seeded
 * subset, resumable from a state file, in inference mode, deterministically for a seed, with sanity
 * checks (inputs within the threat model's bounds, zero input gradients as a hint of gradient
 * masking, randomized outputs, probabilities instead of logits, a model changed by an attack). The
 * result is a {@link dev.awp.report.RobustnessReport}; {@link
 * dev.awp.djl.evaluation.RobustnessReportJson} writes and reads it as JSON.
 */
package dev.awp.djl.evaluation;
