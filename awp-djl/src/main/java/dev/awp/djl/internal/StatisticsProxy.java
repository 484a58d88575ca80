package dev.awp.djl.internal;

import ai.djl.nn.Block;

/**
 * A block whose BatchNorm running statistics are not DJL parameters (a TorchScript module keeps
 * them as buffers inside the script), so a training-mode forward cannot be pointed at scratch
 * copies of them. Passes that must leave the statistics alone — the AWP pass that computes {@code
 * v} — run on a proxy instead, as the AWP reference does: a second copy of the model whose
 * parameters are set to the live values before the pass and whose statistics nobody reads.
 *
 * <p>Internal to awp; not part of the API.
 */
public interface StatisticsProxy {

    /**
     * The proxy, its parameters just set (bit for bit) to this block's live parameter values. Its
     * {@code getParameters()} has the same names, in the same order, as this block's; gradients of
     * a backward through it land on the proxy's parameters, never on this block's.
     *
     * @return the synchronized proxy, owned by this block (never close it)
     */
    Block syncedProxy();
}
