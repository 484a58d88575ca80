package dev.awp.djl.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.attack.Attack;
import dev.awp.attack.ThreatModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of an attack as the name → value entries of a report: its type ({@link
 * Attack#kind()}), the norm and ε of its threat model, its own {@link Attack#parameters()} in their
 * order, and its BatchNorm mode.
 */
final class AttackSettings {

    /** The keys the report writes itself; an attack's parameters must not use them. */
    private static final List<String> RESERVED =
            List.of("type", "norm", "epsilon", "batchNormMode");

    private AttackSettings() {}

    /**
     * The settings of an attack.
     *
     * @param attack the attack
     * @param label how messages name the attack, e.g. {@code "attacks[2]"}
     * @throws IllegalArgumentException if its parameters use a reserved key or hold a null
     */
    static Map<String, String> of(Attack attack, String label) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("type", attack.kind());
        ThreatModel tm = attack.threatModel();
        settings.put("norm", tm.norm().name());
        settings.put("epsilon", Double.toString(tm.epsilon()));
        Map<String, Object> parameters = attack.parameters();
        checkArgument(parameters != null, "%s.parameters() must not be null but was null", label);
        parameters.forEach(
                (key, value) -> {
                    checkArgument(
                            key != null && value != null,
                            "%s.parameters() must not hold null keys or values but had %s → %s",
                            label,
                            key,
                            value);
                    checkArgument(
                            !RESERVED.contains(key),
                            "%s.parameters() must not use the report's own keys %s but had %s:"
                                    + " rename it",
                            label,
                            RESERVED,
                            key);
                    settings.put(key, String.valueOf(value));
                });
        settings.put("batchNormMode", attack.batchNormMode().name());
        return Collections.unmodifiableMap(settings);
    }
}
