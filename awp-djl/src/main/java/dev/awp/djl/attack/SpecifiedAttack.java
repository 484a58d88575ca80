package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import dev.awp.attack.Attack;
import dev.awp.attack.BatchNormMode;
import dev.awp.attack.ThreatModel;
import java.util.Map;
import java.util.OptionalLong;

/**
 * An {@link InputAttack} that runs an API specification, written on the {@link AbstractInputAttack}
 * template: its threat model, name, parameters, kind, query budget and class minimum are the
 * specification's.
 *
 * @param <S> the specification's type
 */
abstract class SpecifiedAttack<S extends Attack> extends AbstractInputAttack {

    /** The specification this attack runs. */
    final S spec;

    SpecifiedAttack(S spec) {
        this.spec = requireNonNull(spec, "spec");
    }

    @Override
    public final ThreatModel threatModel() {
        return spec.threatModel();
    }

    @Override
    public final String name() {
        return spec.name();
    }

    @Override
    public final Map<String, Object> parameters() {
        return spec.parameters();
    }

    @Override
    public final String kind() {
        return spec.kind();
    }

    @Override
    public final OptionalLong queryBudget() {
        return spec.queryBudget();
    }

    @Override
    public final int minimumClasses() {
        return spec.minimumClasses();
    }

    @Override
    public final void checkNumClasses(int numClasses) {
        spec.checkNumClasses(numClasses);
    }

    @Override
    public final BatchNormMode batchNormMode() {
        return spec.batchNormMode();
    }

    /** The specification's copy with that mode, bound again. */
    @Override
    public final Attack withBatchNormMode(BatchNormMode mode) {
        return mode == batchNormMode() ? this : InputAttacks.bind(spec.withBatchNormMode(mode));
    }

    /** The specification's copy with that threat model, bound again. */
    @Override
    public final Attack withThreatModel(ThreatModel threatModel) {
        return threatModel.equals(threatModel())
                ? this
                : InputAttacks.bind(spec.withThreatModel(threatModel));
    }
}
