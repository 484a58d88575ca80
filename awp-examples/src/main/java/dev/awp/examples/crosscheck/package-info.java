/**
 * Cross-checks of awp against the reference implementations in PyTorch: the Java halves of the
 * scripts in {@code src/main/python} ({@code autoattack_cross_check.py}, {@code
 * torchscript_crosscheck.py}, {@code autoattack_benchmark.py}), which start them by class name.
 */
package dev.awp.examples.crosscheck;
