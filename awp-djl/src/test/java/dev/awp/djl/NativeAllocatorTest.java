package dev.awp.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {

    /** The binding links and glibc accepts both values; the benchmarks measure the effect. */
    @Test
    void should_set_both_thresholds_on_glibc_and_be_repeatable() {
        assumeTrue(Platform.isLinux() && isGlibc(), "glibc on Linux");

        assertThat(NativeAllocator.retainFreedMemory()).isTrue();
        assertThat(NativeAllocator.retainFreedMemory()).isTrue();
    }

    /** glibc's dynamic loader is what a glibc system starts programs with. */
    private static boolean isGlibc() {
        return Files.exists(Path.of("/lib64/ld-linux-x86-64.so.2"))
                || Files.exists(Path.of("/lib/ld-linux-aarch64.so.1"));
    }
}
