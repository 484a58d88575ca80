package dev.awp.djl.attack;

import static java.util.Objects.requireNonNull;

import dev.awp.attack.Attack;
import dev.awp.attack.ThreatModel;

/**
 * An {@link InputAttack} that runs an API specification: its threat model and name are the
 * specification's.
 *
 * @param <S> the specification's type
 */
abstract class SpecifiedAttack<S extends Attack> implements InputAttack {

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
}
