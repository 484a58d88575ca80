/**
 * Adversarial training steps on DJL, in the style of DJL's {@code EasyTrain}: {@link
 * dev.awp.djl.training.AwpEasyTrain#trainBatch} runs attack → AWP perturbation → forward and
 * backward of the objective at {@code w + v} → optimizer step → restore, for any objective and any
 * attack.
 */
package dev.awp.djl.training;
