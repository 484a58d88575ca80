package dev.awp.djl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each test uses its own {@link NativeSelfCheck}, so the process-wide outcome that attacks and
 * training use is never touched.
 */
class NativeSelfCheckTest {

    private NDManager manager;
    private String property;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        property = System.getProperty(NativeSelfCheck.PROPERTY);
        System.clearProperty(NativeSelfCheck.PROPERTY);
    }

    @AfterEach
    void close() {
        if (property == null) {
            System.clearProperty(NativeSelfCheck.PROPERTY);
        } else {
            System.setProperty(NativeSelfCheck.PROPERTY, property);
        }
        manager.close();
    }

    private void check(NativeSelfCheck selfCheck) {
        selfCheck.check(manager, manager.getDevice());
    }

    /** Scales the named quantity by 1.1, as a wrong kernel might compute it. */
    private static NativeSelfCheck.Tamper scaling(String quantity) {
        return (name, value) -> name.equals(quantity) ? value.mul(1.1f) : value;
    }

    @Nested
    class Passing {

        @Test
        void should_pass_on_this_machines_engine() {
            NativeSelfCheck selfCheck = new NativeSelfCheck(NativeSelfCheck.Tamper.NONE);

            assertThatCode(() -> check(selfCheck)).doesNotThrowAnyException();
            assertThat(selfCheck.runs()).isEqualTo(1);
        }

        @Test
        void should_run_once_and_then_reuse_the_outcome() {
            NativeSelfCheck selfCheck = new NativeSelfCheck(NativeSelfCheck.Tamper.NONE);

            check(selfCheck);
            check(selfCheck);
            check(selfCheck);

            assertThat(selfCheck.runs()).isEqualTo(1);
        }

        @Test
        void should_run_once_when_threads_call_it_at_the_same_time() throws Exception {
            NativeSelfCheck selfCheck = new NativeSelfCheck(NativeSelfCheck.Tamper.NONE);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Callable<Void>> calls = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    calls.add(
                            () -> {
                                check(selfCheck);
                                return null;
                            });
                }
                for (Future<Void> call : pool.invokeAll(calls)) {
                    call.get();
                }
            } finally {
                pool.shutdown();
            }

            assertThat(selfCheck.runs()).isEqualTo(1);
        }

        @Test
        void should_accept_float32_rounding() {
            float[] got = {1.0000001f, -2f, 3f};
            double[] reference = {1, -2, 3};

            assertThat(NativeSelfCheck.relativeError(got, reference)).isLessThan(1e-6);
        }
    }

    @Nested
    class Failing {

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "convolution 3->4 channels input gradient",
                    "convolution 3->4 channels weight gradient",
                    "convolution 16->16 channels output",
                    "convolution 16->16 channels bias gradient",
                    "linear 64->10 input gradient",
                    "linear 64->10 weight gradient"
                })
        void should_name_the_wrong_quantity_its_error_and_the_remedy(String quantity) {
            NativeSelfCheck selfCheck = new NativeSelfCheck(scaling(quantity));

            assertThatThrownBy(() -> check(selfCheck))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("awp's native self-check failed")
                    .hasMessageContaining(quantity + " max error ")
                    .hasMessageContaining("environment variable ONEDNN_MAX_CPU_ISA=AVX")
                    .hasMessageContaining("-Dawp.nativeSelfCheck=false");
        }

        @Test
        void should_name_only_the_wrong_quantities() {
            NativeSelfCheck selfCheck =
                    new NativeSelfCheck(scaling("convolution 3->4 channels input gradient"));

            Throwable thrown = catchThrowable(() -> check(selfCheck));

            assertThat(thrown.getMessage())
                    .doesNotContain("weight gradient")
                    .doesNotContain("output")
                    .doesNotContain("linear");
        }

        @Test
        void should_report_nan_gradients() {
            NativeSelfCheck selfCheck =
                    new NativeSelfCheck(
                            (name, value) ->
                                    name.endsWith("input gradient") ? value.mul(Float.NaN) : value);

            assertThatThrownBy(() -> check(selfCheck))
                    .hasMessageContaining("convolution 3->4 channels input gradient max error NaN")
                    .hasMessageContaining("linear 64->10 input gradient max error NaN");
        }

        @Test
        void should_keep_failing_with_the_same_message_without_running_again() {
            NativeSelfCheck selfCheck =
                    new NativeSelfCheck(scaling("linear 64->10 weight gradient"));

            Throwable first = catchThrowable(() -> check(selfCheck));
            Throwable second = catchThrowable(() -> check(selfCheck));

            assertThat(first).isInstanceOf(IllegalStateException.class);
            assertThat(second)
                    .isInstanceOf(IllegalStateException.class)
                    .isNotSameAs(first)
                    .hasMessage(first.getMessage());
            assertThat(selfCheck.runs()).isEqualTo(1);
        }

        @Test
        void should_not_cache_a_check_that_could_not_run() {
            NativeSelfCheck selfCheck = new NativeSelfCheck(NativeSelfCheck.Tamper.NONE);

            try (GradientCollector open = Engine.getInstance().newGradientCollector()) {
                assertThatThrownBy(() -> check(selfCheck))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("could not run")
                        .hasMessageContaining("outside any open GradientCollector");
            }
            assertThatCode(() -> check(selfCheck)).doesNotThrowAnyException();
            assertThat(selfCheck.runs()).isEqualTo(2);
        }
    }

    @Nested
    class TurnedOff {

        @Test
        void should_skip_the_check_when_the_system_property_is_false() {
            System.setProperty(NativeSelfCheck.PROPERTY, "false");
            NativeSelfCheck selfCheck = new NativeSelfCheck(scaling("linear 64->10 output"));

            assertThatCode(() -> check(selfCheck)).doesNotThrowAnyException();
            assertThat(selfCheck.runs()).isZero();
        }

        @Test
        void should_check_when_the_system_property_is_true() {
            System.setProperty(NativeSelfCheck.PROPERTY, "true");
            NativeSelfCheck selfCheck = new NativeSelfCheck(scaling("linear 64->10 output"));

            assertThatThrownBy(() -> check(selfCheck))
                    .hasMessageContaining("linear 64->10 output max error");
        }
    }
}
