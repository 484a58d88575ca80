package dev.awp.training;

/**
 * Which training-mode forward passes a training step runs beyond the ones its loss needs. Each
 * training-mode forward moves the model's BatchNorm running statistics (which evaluation uses), so
 * two procedures with identical weight updates can evaluate differently. The weights do not depend
 * on this choice; the running statistics do. What the official AWP scripts (csdongxian/AWP) run per
 * step, besides the attack's own forwards:
 *
 * <table>
 *   <caption>Training-mode forwards per step</caption>
 *   <tr><th>objective</th><th>{@link #MINIMAL}</th><th>{@link #OFFICIAL}</th></tr>
 *   <tr><td>PGD-AT</td><td>{@code f(x')}</td>
 *       <td>{@code f(x')} once more after a training-mode attack (the reference's restart-selection
 *       pass, made even with one restart), the update's {@code f(x')}, then {@code f(x)} after the
 *       restore (the reference's logging forward)</td></tr>
 *   <tr><td>TRADES</td><td>{@code f(x)}, {@code f(x')}</td>
 *       <td>{@code f(x')}, {@code f(x)} (the KL target), {@code f(x)} (the cross-entropy)</td></tr>
 *   <tr><td>MART</td><td>{@code f(x)}, {@code f(x')}</td><td>the same (MART's own code)</td></tr>
 *   <tr><td>custom</td><td colspan="2">the objective's forwards: clean (if used), then
 *       adversarial</td></tr>
 * </table>
 *
 * <p>The AWP pass that computes {@code v} never moves the running statistics, in either mode.
 *
 * <p>Not reproduced: the official AT-AWP script leaves the model in eval mode after each epoch's
 * test evaluation and switches back to training mode only after the next epoch's first attack, so
 * the first batch of every epoch but the first is attacked with running statistics (and without the
 * restart-selection update). That changes one step's {@code x'} per epoch, an accident of the
 * script; awp attacks every batch in the attack's own mode.
 */
public enum BatchNormForwards {
    /** Only the forwards the loss needs: cheapest. The default of a built specification. */
    MINIMAL,
    /**
     * Every training-mode forward of the official scripts, in their order, so that the running
     * statistics after each step equal the official code's. The default of the paper {@link
     * Recipes}.
     */
    OFFICIAL,
    /**
     * {@link #OFFICIAL} without PGD-AT's logging forward on {@code x} after the restore, which the
     * official script runs only to log the clean training accuracy (an accident of the script
     * rather than part of the method); one forward per step cheaper.
     */
    OFFICIAL_WITHOUT_LOGGING_FORWARD
}
