/**
 * Runnable examples of awp, the programs a user reads and copies. Each has a {@code main} and a
 * {@code runExample(String...)} that the smoke tests call with tiny limits; the set-up they share
 * (the command-line wrapper, a short run's schedule and evaluation, the trainer, the printed table)
 * is written once in {@code ExampleRun}, while the lines the site shows (recipe, data adapter,
 * trainer) stay in each example. Research harnesses live in their own packages: {@link
 * dev.awp.examples.lab} (the robust-overfitting lab), {@link dev.awp.examples.benchmark} (timing
 * programs) and {@link dev.awp.examples.crosscheck} (the Java halves of the PyTorch cross-checks);
 * {@link dev.awp.examples.snippets} holds the code of the site's guides.
 */
package dev.awp.examples;
