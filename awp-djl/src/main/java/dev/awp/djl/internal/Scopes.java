package dev.awp.djl.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** Helpers for scoping native memory. Internal to awp; not part of the API. */
public final class Scopes {
    private Scopes() {}

    /**
     * Temporarily attaches the caller's arrays to {@code scope}, so that everything derived from
     * them is closed with the scope, while the arrays themselves return to their managers. The same
     * array passed twice (say, adversarial inputs that equal the clean ones) is attached once.
     *
     * @param scope the scope
     * @param arrays the borrowed arrays
     */
    public static void borrow(NDManager scope, NDArray... arrays) {
        Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (NDArray array : arrays) {
            if (array != null && seen.add(array)) {
                array.tempAttach(scope);
            }
        }
    }
}
