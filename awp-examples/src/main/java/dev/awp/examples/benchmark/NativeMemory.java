package dev.awp.examples.benchmark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Readings of the process's resident memory (Linux {@code /proc/self/status}) and of the live DJL
 * arrays.
 */
final class NativeMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private NativeMemory() {}

    /** Resident set size in bytes, or -1 where {@code /proc} is not available. */
    static long rss() {
        return status("VmRSS:");
    }

    /** Peak resident set size since the start or the last {@link #resetPeak()}, or -1. */
    static long peakRss() {
        return status("VmHWM:");
    }

    /**
     * Resets the peak resident set size to the current one (writes 5 to {@code
     * /proc/self/clear_refs}, Linux 4.0 or later).
     *
     * @return whether the reset worked
     */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static long status(String key) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The manager at the top of {@code manager}'s chain of parents: every live array is below. */
    static NDManager root(NDManager manager) {
        NDManager root = manager;
        while (root.getParentManager() != null && root.getParentManager() != root) {
            root = root.getParentManager();
        }
        return root;
    }

    /** The live arrays under {@code root}, each counted once. */
    static Set<NDArray> liveArrays(NDManager root) {
        List<NDArray> arrays = root.getManagedArrays();
        Set<NDArray> unique = Collections.newSetFromMap(new IdentityHashMap<>());
        unique.addAll(arrays);
        return unique;
    }

    /** The bytes of the live arrays under {@code root}. */
    static long liveBytes(NDManager root) {
        long bytes = 0;
        for (NDArray array : liveArrays(root)) {
            bytes += array.getShape().size() * array.getDataType().getNumOfBytes();
        }
        return bytes;
    }
}
