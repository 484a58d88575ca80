/**
 * The AWP benchmark: {@link dev.awp.examples.benchmark.AwpBenchmark} measures, in one process, the
 * step time of AT-AWP over PGD-AT and the limit (attack + 2 forward/backward) / (attack + 1), what
 * the attack saves by computing input gradients only, our step against the PyTorch reference
 * procedure ({@code src/main/python/reference_step.py}), the extra native memory of AWP, a leak
 * check and the scaling with batch size and model width. It prints a table and writes a JSON
 * report.
 */
package dev.awp.examples.benchmark;
