/**
 * Threat models and input attacks.
 *
 * <p>An {@link dev.awp.attack.Attack} describes how adversarial inputs are crafted inside a {@link
 * dev.awp.attack.ThreatModel}. The built-in {@link dev.awp.attack.PgdAttack}, {@link
 * dev.awp.attack.FgsmAttack}, {@link dev.awp.attack.ApgdAttack}, {@link dev.awp.attack.FabAttack}
 * and {@link dev.awp.attack.SquareAttack} are immutable specifications; engine bindings (such as
 * {@code awp-djl}) execute them. {@link dev.awp.attack.Attacks} has presets for the conventions of
 * the AWP paper and AutoAttack's standard cascade ({@link
 * dev.awp.attack.Attacks#autoAttack(dev.awp.attack.ThreatModel)}). Inputs live in the threat
 * model's {@link dev.awp.attack.InputDomain} (scalar bounds, [0, 1] by default, or per-feature
 * bounds for tabular data); normalization, if any, belongs inside the model.
 */
@ValueStyle
package dev.awp.attack;

import dev.awp.internal.ValueStyle;
