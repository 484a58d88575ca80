package dev.awp.djl.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import dev.awp.djl.objective.StepForwards;
import dev.awp.djl.objective.TrainingObjective;

/**
 * The update of a training step: its forwards, in the objective's order, and its backward at the
 * current weights ({@code w + v} when AWP perturbs).
 *
 * @param clean the clean logits, or {@code null} when the objective does not read them
 * @param adversarial the adversarial logits
 * @param loss the objective's loss
 * @param y the labels
 */
record UpdatePass(NDArray clean, NDArray adversarial, NDArray loss, NDArray y) {

    /**
     * Runs the update's forwards and backward, then the extra clean forward the order may ask for
     * (for TRADES, {@code f(x)} again for the cross-entropy: equal logits, same weights and batch
     * statistics, so one clean branch gives the same loss; the running statistics see the third
     * forward).
     */
    static UpdatePass run(
            Trainer trainer,
            StepForwards order,
            TrainingObjective objective,
            CheckedBatch batch,
            NDArray xAdv) {
        NDArray x = batch.x();
        NDArray y = batch.y();
        NDArray clean;
        NDArray adversarial;
        NDArray loss;
        try (GradientCollector collector = trainer.newGradientCollector()) {
            if (order.adversarialFirst()) {
                // the official TRADES update: f(x'), then f(x) for the KL target ...
                adversarial = trainer.forward(new NDList(xAdv)).head();
                clean = trainer.forward(new NDList(x)).head();
            } else {
                clean = objective.usesCleanInputs() ? trainer.forward(new NDList(x)).head() : null;
                adversarial = trainer.forward(new NDList(xAdv)).head();
            }
            batch.labels().checkClasses(adversarial);
            loss = objective.loss(clean, adversarial, y);
            collector.backward(loss);
        }
        if (order.cleanAfterBackward()) {
            // ... and f(x) again for the cross-entropy
            trainer.forward(new NDList(x)).close();
        }
        return new UpdatePass(clean, adversarial, loss, y);
    }

    /** The batch's loss and adversarial accuracy: one host read each. */
    BatchResult result(boolean perturbed) {
        long correct = adversarial.argMax(1).eq(y.toType(DataType.INT64, false)).sum().getLong();
        return new BatchResult(
                loss.toType(DataType.FLOAT64, false).getDouble(), correct, y.size(), perturbed);
    }
}
