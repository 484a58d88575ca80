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
 * <p>The thresholds alone do not cover threads other than the process's first one, and the JVM runs
 * {@code main} on another: glibc serves such a thread from a secondary arena built of 64 MiB heaps,
 * and unmaps a heap as soon as everything in it is freed, whatever the trim threshold says. A pad
 * of 128 MiB at the top of every heap ({@code M_TOP_PAD}) keeps those heaps. Measured on the same
 * machine (AutoAttack's four attacks on SmallCnn, batch 200, 30 iterations and 150 queries, three
 * rounds in one JVM): 3.36 million minor page faults and 6.7 s in the kernel with the thresholds
 * alone, 0.25 million and 0.9 s with the pad too, 5 % less wall time.
 *
 * <p>{@link #retainFreedMemory()} sets all three in a running JVM through {@code mallopt}:
 * allocations up to 32 MiB come from the heap (glibc's own upper limit for its adaptive threshold),
 * up to 1 GiB of freed heap stays with the process, and no heap is given back while it is within
 * 128 MiB of its top. The same setting for a whole process, before it starts, is the environment
 * variable {@link #GLIBC_TUNABLES}, which the build sets for the tests and examples. The price is
 * memory the process keeps after a peak instead of returning it to the system (address space, not
 * resident memory, for the pad). Nothing else changes: no result depends on it.
 *
 * <pre>{@code
 * NativeAllocator.retainFreedMemory(); // once, early in main(); a no-op where there is no glibc
 * }</pre>
 */
public final class NativeAllocator {

    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);

    /** glibc's {@code M_TRIM_THRESHOLD}. */
    private static final int M_TRIM_THRESHOLD = -1;

    /** glibc's {@code M_TOP_PAD}. */
    private static final int M_TOP_PAD = -2;

    /** glibc's {@code M_MMAP_THRESHOLD}. */
    private static final int M_MMAP_THRESHOLD = -3;

    /** Allocations at most this large come from the heap: glibc's adaptive maximum on 64 bits. */
    static final int MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024;

    /** Freed heap up to this size stays with the process. */
    static final int TRIM_THRESHOLD_BYTES = 1024 * 1024 * 1024;

    /**
     * Padding kept at the top of every heap: more than a secondary arena's heap (64 MiB on 64
     * bits), so that glibc never unmaps a heap of a thread's arena when it becomes empty.
     */
    static final int TOP_PAD_BYTES = 128 * 1024 * 1024;

    /**
     * The same setting for a whole process, before it starts, as the value of the environment
     * variable {@code GLIBC_TUNABLES}: {@value}.
     */
    public static final String GLIBC_TUNABLES =
            "glibc.malloc.mmap_threshold="
                    + MMAP_THRESHOLD_BYTES
                    + ":glibc.malloc.trim_threshold="
                    + TRIM_THRESHOLD_BYTES
                    + ":glibc.malloc.top_pad="
                    + TOP_PAD_BYTES;

    private NativeAllocator() {}

    /** The one C function needed, bound by JNA (already on DJL's classpath). */
    interface GlibcMalloc extends Library {
        int mallopt(int parameter, int value);
    }

    /**
     * Fixes glibc's {@code malloc} thresholds for this process (see the class description). Safe to
     * call more than once and from any thread.
     *
     * @return {@code true} if both thresholds and the pad were set; {@code false} where the C
     *     library is not glibc on Linux (macOS, Windows, musl) or refused a threshold, which then
     *     stays as it was
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
        boolean pad = c.mallopt(M_TOP_PAD, TOP_PAD_BYTES) == 1;
        LOG.debug(
                String.format(
                        Locale.ROOT,
                        "mallopt: mmap threshold %d (%s), trim threshold %d (%s), top pad %d (%s)",
                        MMAP_THRESHOLD_BYTES,
                        mmap ? "set" : "refused",
                        TRIM_THRESHOLD_BYTES,
                        trim ? "set" : "refused",
                        TOP_PAD_BYTES,
                        pad ? "set" : "refused"));
        return mmap && trim && pad;
    }
}
