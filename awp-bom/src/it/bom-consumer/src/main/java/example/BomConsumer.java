package example;

import ai.djl.ndarray.NDArray;
import dev.awp.attack.Attack;
import dev.awp.attack.Attacks;
import dev.awp.objective.Objective;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;

/** Uses the awp API and the DJL API that awp-djl brings, as a user's code would. */
public final class BomConsumer {

    private BomConsumer() {}

    static Attack attack() {
        return Attacks.pgd20();
    }

    static WeightPerturbation perturbation() {
        return WeightPerturbation.of(0.01);
    }

    static Objective objective() {
        return Objectives.trades();
    }

    static NDArray sameShape(NDArray input) {
        return input.zerosLike();
    }
}
