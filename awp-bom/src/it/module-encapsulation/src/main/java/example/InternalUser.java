package example;

/** Uses public classes of awp's internal packages, which the module system must refuse. */
public final class InternalUser {
    private InternalUser() {}

    /** @return a value from awp-api's internal checks (exported to dev.awp.djl only) */
    public static double positive() {
        return dev.awp.internal.Checks.positive("x", 1.0);
    }

    /** @return a class of awp-djl's internal package (not exported) */
    public static Class<?> atomicFiles() {
        return dev.awp.djl.internal.AtomicFiles.class;
    }
}
