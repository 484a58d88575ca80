package dev.awp.djl.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import ai.djl.ndarray.NDArray;
import dev.awp.objective.Objectives;
import dev.awp.training.BatchNormForwards;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link TrainingObjective#forwards}: each bound built-in objective names its official script's
 * training-mode forwards (the table of {@link BatchNormForwards}); a custom objective names only
 * those its loss needs unless it says otherwise.
 */
class StepForwardsTest {

    /** A custom objective that does not override {@link TrainingObjective#forwards}. */
    static final TrainingObjective CUSTOM =
            new TrainingObjective() {
                @Override
                public NDArray loss(NDArray clean, NDArray adversarial, NDArray labels) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public String name() {
                    return "custom";
                }

                @Override
                public boolean usesCleanInputs() {
                    return true;
                }
            };

    @Test
    void should_name_the_official_pgd_at_forwards() {
        TrainingObjective pgdAt = TrainingObjectives.bind(Objectives.pgdAt());

        assertThat(pgdAt.forwards(BatchNormForwards.OFFICIAL))
                .isEqualTo(new StepForwards(true, false, false, true));
        assertThat(pgdAt.forwards(BatchNormForwards.OFFICIAL_WITHOUT_LOGGING_FORWARD))
                .isEqualTo(new StepForwards(true, false, false, false));
        assertThat(pgdAt.forwards(BatchNormForwards.MINIMAL)).isEqualTo(StepForwards.MINIMAL);
    }

    @Test
    void should_name_the_official_trades_forwards() {
        TrainingObjective trades = TrainingObjectives.bind(Objectives.trades());

        assertThat(trades.forwards(BatchNormForwards.OFFICIAL))
                .isEqualTo(new StepForwards(false, true, true, false));
        assertThat(trades.forwards(BatchNormForwards.OFFICIAL_WITHOUT_LOGGING_FORWARD))
                .isEqualTo(new StepForwards(false, true, true, false));
        assertThat(trades.forwards(BatchNormForwards.MINIMAL)).isEqualTo(StepForwards.MINIMAL);
    }

    @ParameterizedTest
    @EnumSource(BatchNormForwards.class)
    void should_run_only_the_loss_forwards_for_mart_and_custom_objectives(
            BatchNormForwards forwards) {
        assertThat(TrainingObjectives.bind(Objectives.mart()).forwards(forwards))
                .isEqualTo(StepForwards.MINIMAL);
        assertThat(CUSTOM.forwards(forwards)).isEqualTo(StepForwards.MINIMAL);
    }

    @Test
    void should_reject_null_forwards() {
        assertThatNullPointerException()
                .isThrownBy(() -> TrainingObjectives.bind(Objectives.pgdAt()).forwards(null))
                .withMessage("forwards");
        assertThatNullPointerException()
                .isThrownBy(() -> CUSTOM.forwards(null))
                .withMessage("forwards");
    }
}
