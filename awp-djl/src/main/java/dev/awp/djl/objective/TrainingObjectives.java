package dev.awp.djl.objective;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import dev.awp.objective.MartObjective;
import dev.awp.objective.Objective;
import dev.awp.objective.PgdAtObjective;
import dev.awp.objective.TradesObjective;
import dev.awp.training.BatchNormForwards;

/** Binds objective specifications from {@code awp-api} to their DJL implementations. */
public final class TrainingObjectives {

    private TrainingObjectives() {}

    /**
     * Returns the executable objective for a specification: {@link PgdAtObjective}, {@link
     * TradesObjective} and {@link MartObjective} map to {@link Losses}; a {@link TrainingObjective}
     * (a custom objective) is returned as it is.
     *
     * @param objective the specification
     * @return the executable objective
     * @throws IllegalArgumentException if the objective is neither built in nor a {@link
     *     TrainingObjective}
     */
    public static TrainingObjective bind(Objective objective) {
        requireNonNull(objective, "objective");
        if (objective instanceof TrainingObjective) {
            return (TrainingObjective) objective;
        }
        if (objective instanceof PgdAtObjective) {
            return new Bound(objective) {
                @Override
                public NDArray loss(NDArray clean, NDArray adversarial, NDArray labels) {
                    return Losses.crossEntropy(adversarial, labels);
                }

                @Override
                public NDArray loss(
                        NDArray clean, NDArray adversarial, NDArray labels, NDArray weights) {
                    return weights == null
                            ? loss(clean, adversarial, labels)
                            : WeightedLosses.crossEntropy(adversarial, labels, weights);
                }

                @Override
                public StepForwards forwards(BatchNormForwards forwards) {
                    return StepForwards.pgdAt(requireNonNull(forwards, "forwards"));
                }
            };
        }
        if (objective instanceof TradesObjective) {
            double beta = ((TradesObjective) objective).beta();
            return new Bound(objective) {
                @Override
                public NDArray loss(NDArray clean, NDArray adversarial, NDArray labels) {
                    return Losses.trades(clean, adversarial, labels, beta);
                }

                @Override
                public NDArray loss(
                        NDArray clean, NDArray adversarial, NDArray labels, NDArray weights) {
                    return weights == null
                            ? loss(clean, adversarial, labels)
                            : WeightedLosses.trades(clean, adversarial, labels, beta, weights);
                }

                @Override
                public StepForwards forwards(BatchNormForwards forwards) {
                    return StepForwards.trades(requireNonNull(forwards, "forwards"));
                }
            };
        }
        if (objective instanceof MartObjective) {
            double beta = ((MartObjective) objective).beta();
            return new Bound(objective) {
                @Override
                public NDArray loss(NDArray clean, NDArray adversarial, NDArray labels) {
                    return Losses.mart(clean, adversarial, labels, beta);
                }

                @Override
                public NDArray loss(
                        NDArray clean, NDArray adversarial, NDArray labels, NDArray weights) {
                    return weights == null
                            ? loss(clean, adversarial, labels)
                            : WeightedLosses.mart(clean, adversarial, labels, beta, weights);
                }
            };
        }
        throw new IllegalArgumentException(
                "objective must be PGD-AT, TRADES, MART or implement "
                        + TrainingObjective.class.getName()
                        + " but was "
                        + objective.getClass().getName());
    }

    /**
     * The specification an objective was bound from: for what {@link #bind} returned for a built-in
     * specification, that specification; otherwise the objective itself.
     *
     * @param objective a specification or an executable objective
     * @return the built-in specification behind it, or {@code objective}
     */
    public static Objective specificationOf(Objective objective) {
        requireNonNull(objective, "objective");
        return objective instanceof Bound bound ? bound.spec : objective;
    }

    private abstract static class Bound implements TrainingObjective {
        private final Objective spec;

        Bound(Objective spec) {
            this.spec = spec;
        }

        @Override
        public String name() {
            return spec.name();
        }

        @Override
        public boolean usesCleanInputs() {
            return spec.usesCleanInputs();
        }

        @Override
        public String toString() {
            return spec.toString();
        }
    }
}
