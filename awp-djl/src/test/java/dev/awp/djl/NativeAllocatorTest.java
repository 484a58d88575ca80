package dev.awp.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {

    /** The binding links and glibc accepts the three values; the benchmarks measure the effect. */
    @Test
    void should_set_the_thresholds_and_the_pad_on_glibc_and_be_repeatable() {
        assumeTrue(Platform.isLinux() && isGlibc(), "glibc on Linux");

        assertThat(NativeAllocator.retainFreedMemory()).isTrue();
        assertThat(NativeAllocator.retainFreedMemory()).isTrue();
    }

    /**
     * A thread other than the first frees whole heaps of its arena; without the pad glibc unmaps
     * them and the next round faults every page in again. Each side runs in a JVM of its own
     * without the build's {@code GLIBC_TUNABLES}, so that only {@code mallopt} can make the
     * difference.
     */
    @Test
    void should_keep_a_threads_freed_heaps_mapped() throws Exception {
        assumeTrue(Platform.isLinux() && isGlibc(), "glibc on Linux");

        long without = faults("none");
        long with = faults("retain");

        // 20 rounds of 120 MiB are about 600,000 pages: without the pad most of them fault again
        assertThat(without).isGreaterThan(100_000);
        assertThat(with).isLessThan(without / 10);
    }

    private static long faults(String mode) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder =
                new ProcessBuilder(
                                java.toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                HeapChurnProbe.class.getName(),
                                mode)
                        .redirectErrorStream(true);
        builder.environment().remove("GLIBC_TUNABLES");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        Matcher faults = Pattern.compile("faults (\\d+)").matcher(output);
        assertThat(faults.find()).as(output).isTrue();
        return Long.parseLong(faults.group(1));
    }

    /** glibc's dynamic loader is what a glibc system starts programs with. */
    private static boolean isGlibc() {
        return Files.exists(Path.of("/lib64/ld-linux-x86-64.so.2"))
                || Files.exists(Path.of("/lib/ld-linux-aarch64.so.1"));
    }
}
