package dev.awp.examples.lab;

/** One run to make: a method and a seed, numbered in the lab's order. */
record Task(int index, Method method, long seed) {

    String directoryName() {
        return method.label()
                        .replace(" (last attack step)", "-last-attack-step")
                        .replace(" γ=", "-gamma")
                + "-seed"
                + seed;
    }
}
