package dev.awp.examples.lab;

/** One configuration: a family and γ (0 = no AWP). */
record Method(Family family, double gamma, boolean diagnostics) {

    String name() {
        return gamma == 0 ? family.base : family.withAwp;
    }

    /** The name with γ, for the sweep. */
    String label() {
        return gamma == 0 ? family.base : family.withAwp + " γ=" + gamma;
    }
}
