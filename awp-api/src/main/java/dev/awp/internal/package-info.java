/** Implementation details shared by awp's modules. Not part of the public API; may change. */
package dev.awp.internal;
