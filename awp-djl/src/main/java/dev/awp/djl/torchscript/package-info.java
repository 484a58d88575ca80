/**
 * Models from Python: TorchScript classifiers loaded by DJL's PyTorch engine, attacked, evaluated
 * and fine-tuned with AWP like DJL blocks, then exported back to TorchScript.
 *
 * <p>{@link dev.awp.djl.torchscript.TorchScriptClassifier#of(ai.djl.Model)} wraps the script of a
 * model loaded with {@code Map.of("trainParam", "true")}; everything else in awp then takes the
 * model as it takes a model built in Java. This package needs {@code ai.djl.pytorch:pytorch-engine}
 * on the classpath (an optional dependency of awp-djl; it is there whenever a TorchScript file can
 * be loaded at all).
 */
package dev.awp.djl.torchscript;
