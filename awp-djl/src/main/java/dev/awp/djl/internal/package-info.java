/** Implementation details shared by awp-djl's packages. Not part of the public API; may change. */
package dev.awp.djl.internal;
