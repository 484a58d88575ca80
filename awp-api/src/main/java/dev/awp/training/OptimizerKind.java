package dev.awp.training;

/** The optimizers an {@link OptimizerSpec} describes. */
public enum OptimizerKind {
    /**
     * Stochastic gradient descent with heavy-ball momentum and L2 weight decay added to the
     * gradient, as {@code torch.optim.SGD}: {@code b ← μ·b + (g + λ·w)}, {@code w ← w − η·b}.
     */
    SGD,
    /**
     * Adam (Kingma and Ba, 2015) with L2 weight decay added to the gradient, as {@code
     * torch.optim.Adam}.
     */
    ADAM,
    /**
     * AdamW (Loshchilov and Hutter, 2019): Adam with weight decay decoupled from the gradient,
     * {@code w ← w − η·λ·w} applied separately, as {@code torch.optim.AdamW}.
     */
    ADAMW
}
