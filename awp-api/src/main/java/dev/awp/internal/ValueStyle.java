package dev.awp.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.immutables.value.Value;

/**
 * The Immutables style of every value type in awp: a package-private {@code AbstractFoo} generates
 * a public, immutable {@code Foo} with {@code Foo.builder()} and {@code withX(..)} copy methods.
 *
 * <p>Source retention: nothing of it reaches user class files. Internal to awp; not part of the
 * API.
 */
@Target({ElementType.PACKAGE, ElementType.TYPE})
@Retention(RetentionPolicy.SOURCE)
@Value.Style(
        typeAbstract = "Abstract*",
        typeImmutable = "*",
        visibility = Value.Style.ImplementationVisibility.PUBLIC,
        defaults = @Value.Immutable(copy = true),
        allowedClasspathAnnotations = {javax.annotation.processing.Generated.class},
        depluralize = true)
public @interface ValueStyle {}
