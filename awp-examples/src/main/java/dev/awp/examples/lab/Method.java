package dev.awp.examples.lab;

import dev.awp.perturbation.PerturbationDirection;

/**
 * One configuration: a family, γ (0 = no AWP) and where AWP's direction comes from ({@link
 * PerturbationDirection#EXACT}, the paper, or the attack's last iteration).
 */
record Method(Family family, double gamma, boolean diagnostics, PerturbationDirection direction) {

    /** A method with the paper's AWP direction. */
    Method(Family family, double gamma, boolean diagnostics) {
        this(family, gamma, diagnostics, PerturbationDirection.EXACT);
    }

    String name() {
        return gamma == 0 ? family.base : family.withAwp + suffix();
    }

    /** The name with γ, for the sweep. */
    String label() {
        return gamma == 0 ? family.base : family.withAwp + suffix() + " γ=" + gamma;
    }

    private String suffix() {
        return direction == PerturbationDirection.LAST_ATTACK_STEP ? " (last attack step)" : "";
    }
}
