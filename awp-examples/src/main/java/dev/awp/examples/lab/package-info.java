/**
 * The robust-overfitting lab: measures the AWP paper's claims over several seeds and writes which
 * reproduced. {@link dev.awp.examples.lab.RobustOverfittingLab} is the entry point; the other types
 * are its command line, model zoo, methods, runs (in this JVM or in child JVMs), report and
 * statistics.
 */
package dev.awp.examples.lab;
