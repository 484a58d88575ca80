/**
 * Small compiled programs whose tagged regions ({@code // tag::name[]}) the documentation site
 * includes, so that every snippet on the site is compiled and smoke-tested. Each class is the
 * smallest complete use of one API; the runnable examples are in {@code dev.awp.examples}.
 */
package dev.awp.examples.snippets;
