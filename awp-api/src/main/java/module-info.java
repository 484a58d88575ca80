/**
 * awp-api: the engine-agnostic specifications of Adversarial Weight Perturbation (Wu, Xia, Wang,
 * NeurIPS 2020) — attacks, weight perturbations, training objectives, training runs, reports and
 * events. It has no DJL dependency; {@code dev.awp.djl} binds it to DJL.
 *
 * <p>{@code dev.awp.internal} (the value-type style and the argument checks) is exported to awp's
 * own modules only. Immutables is needed to compile awp only ({@code requires static}); its
 * generated value types use Guava, which is part of this module's API. Guava 33.3 is an automatic
 * module (named by its jar's {@code Automatic-Module-Name}), hence the suppressed warnings.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic", "module"})
module dev.awp.api {
    // the generated value types return Guava's immutable collections
    requires transitive com.google.common;
    requires static org.immutables.value;
    // javax.annotation.processing.Generated, a source-retention annotation on the generated types
    requires static java.compiler;

    exports dev.awp.attack;
    exports dev.awp.event;
    exports dev.awp.objective;
    exports dev.awp.perturbation;
    exports dev.awp.report;
    exports dev.awp.training;
    exports dev.awp.internal to
            dev.awp.djl;
}
