package dev.awp.djl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps glibc's {@code malloc} from handing libtorch's large buffers back to the kernel after every
 * operation, which on Linux can make forward passes several times slower at random.
 *
 * <p>libtorch on the CPU allocates its activations and workspaces with {@code malloc}. With glibc's
 * default, adaptive thresholds a process can settle, depending on the order of its first
 * allocations, into returning freed megabyte-sized buffers to the kernel and faulting fresh, zeroed
 * pages in again on the next pass. Measured on this project's 2-core Linux machine (SmallCnn
 * forward passes of 120 Fashion-MNIST images, one thread, the same script started repeatedly): most
 * processes (23 of 30) ran at 46–76 ms per pass with 0.84–0.95 million page faults, the others at
 * 8–12 ms; with the thresholds fixed as below every process ran at 8–15 ms with about 38,000
 * faults. The evaluation attacks that run many short inference passes on shrinking batches (Square,
 * 5,000 queries per example) gained the most: 42–73 ms per iteration before, 22–28 ms after.
 * Training steps were mostly unaffected. PyTorch itself hits the same effect; its performance guide
 * recommends jemalloc or tcmalloc for the same reason.
 *
 * <p>{@link #retainFreedMemory()} fixes the thresholds in a running JVM through {@code mallopt}:
 * allocations up to 32 MiB come from the heap (glibc's own upper limit for its adaptive threshold)
 * and up to 1 GiB of freed heap stays with the process. The same setting for a whole process,
 * before it starts, is the environment variable {@code
 * GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824},
 * which the build sets for the tests and examples. The price is memory the process keeps after a
 * peak instead of returning it to the system. Nothing else changes: no result depends on it.
 *
 * <pre>{@code
 * NativeAllocator.retainFreedMemory(); // once, early in main(); a no-op where there is no glibc
 * }</pre>
 */
public final class NativeAllocator {

    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);

    /** glibc's {@code M_TRIM_THRESHOLD}. */
    private static final int M_TRIM_THRESHOLD = -1;

    /** glibc's {@code M_MMAP_THRESHOLD}. */
    private static final int M_MMAP_THRESHOLD = -3;

    /** Allocations at most this large come from the heap: glibc's adaptive maximum on 64 bits. */
    static final int MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024;

    /** Freed heap up to this size stays with the process. */
    static final int TRIM_THRESHOLD_BYTES = 1024 * 1024 * 1024;

    private NativeAllocator() {}

    /** The one C function needed, bound by JNA (already on DJL's classpath). */
    interface GlibcMalloc extends Library {
        int mallopt(int parameter, int value);
    }

    /**
     * Fixes glibc's {@code malloc} thresholds for this process (see the class description). Safe to
     * call more than once and from any thread.
     *
     * @return {@code true} if both thresholds were set; {@code false} where the C library is not
     *     glibc on Linux (macOS, Windows, musl) or refused a threshold, which then stays as it was
     */
    public static synchronized boolean retainFreedMemory() {
        if (!Platform.isLinux()) {
            LOG.debug("not Linux: malloc thresholds left as they are");
            return false;
        }
        GlibcMalloc c;
        try {
            c = Native.load("c", GlibcMalloc.class);
        } catch (UnsatisfiedLinkError e) {
            LOG.debug("no mallopt in the C library ({}): malloc thresholds left", e.getMessage());
            return false;
        }
        boolean mmap = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1;
        boolean trim = c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1;
        LOG.debug(
                String.format(
                        Locale.ROOT,
                        "mallopt: mmap threshold %d (%s), trim threshold %d (%s)",
                        MMAP_THRESHOLD_BYTES,
                        mmap ? "set" : "refused",
                        TRIM_THRESHOLD_BYTES,
                        trim ? "set" : "refused"));
        return mmap && trim;
    }
}
