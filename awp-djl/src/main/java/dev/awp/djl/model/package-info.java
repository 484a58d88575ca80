/**
 * The image classifiers of the AWP recipes, as DJL {@link ai.djl.nn.Block}s.
 *
 * <ul>
 *   <li>{@link dev.awp.djl.model.PreActResNet18} — the AT-AWP model (He et al., <a
 *       href="https://arxiv.org/abs/1603.05027">Identity Mappings in Deep Residual Networks</a>);
 *   <li>{@link dev.awp.djl.model.WideResNet} — WRN-34-10 of TRADES-AWP and MART-AWP, WRN-28-10 of
 *       the semi-supervised recipes (Zagoruyko and Komodakis, <a
 *       href="https://arxiv.org/abs/1605.07146">Wide Residual Networks</a>);
 *   <li>{@link dev.awp.djl.model.SmallCnn} — a small network that trains in seconds per epoch on a
 *       CPU, for examples, tests and smoke runs;
 *   <li>{@link dev.awp.djl.model.Normalization} — per-channel {@code (x − mean) / std} as the first
 *       layer, so that attacks work on inputs in [0, 1].
 * </ul>
 *
 * <p>Each model has a builder whose {@code build()} returns a plain DJL block, ready for {@code
 * Model.setBlock(..)}. The weights AWP perturbs (convolution kernels and linear weight matrices)
 * are the parameters of type {@link ai.djl.nn.Parameter.Type#WEIGHT} with rank 2 or more; BatchNorm
 * running statistics are parameters that do not require gradients.
 */
package dev.awp.djl.model;
