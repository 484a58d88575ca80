package dev.awp.djl;

import com.sun.jna.Memory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link NativeAllocatorTest}: on a new thread (which glibc serves from
 * a secondary arena), allocates, touches and frees six 20 MiB blocks twenty times, as libtorch's
 * activations come and go, and prints the minor page faults of those rounds. With {@code retain} as
 * its argument it first calls {@link NativeAllocator#retainFreedMemory()}.
 */
public final class HeapChurnProbe {

    private static final int BLOCK = 20 << 20;

    private HeapChurnProbe() {}

    /**
     * Prints {@code faults N}.
     *
     * @param args {@code retain} or {@code none}
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        if (args[0].equals("retain") && !NativeAllocator.retainFreedMemory()) {
            throw new IllegalStateException("mallopt refused");
        }
        long[] faults = new long[1];
        Thread thread =
                new Thread(
                        () -> {
                            churn(3);
                            long before = minorFaults();
                            churn(20);
                            faults[0] = minorFaults() - before;
                        });
        thread.start();
        thread.join();
        System.out.println("faults " + faults[0]);
    }

    private static void churn(int rounds) {
        for (int round = 0; round < rounds; round++) {
            Memory[] blocks = new Memory[6];
            for (int k = 0; k < blocks.length; k++) {
                blocks[k] = new Memory(BLOCK);
                blocks[k].clear();
            }
            for (int k = blocks.length - 1; k >= 0; k--) {
                blocks[k].close();
            }
        }
    }

    /** This process's minor page faults: the tenth field of {@code /proc/self/stat}. */
    private static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[7]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
