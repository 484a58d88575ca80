/**
 * Runnable examples of awp. Each has a {@code main} and a {@code runExample(String...)} that the
 * smoke tests call with tiny limits.
 */
package dev.awp.examples;
