package dev.awp.event;

import dev.awp.report.TrainingReport;
import org.immutables.value.Value;

/** A training run has completed its last epoch. */
@Value.Immutable
abstract class AbstractTrainingFinished {

    /**
     * The report of the run, with its specification and the metrics of every epoch.
     *
     * @return the report
     */
    @Value.Parameter
    public abstract TrainingReport report();
}
