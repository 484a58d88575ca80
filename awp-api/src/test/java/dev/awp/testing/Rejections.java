package dev.awp.testing;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Assertions for the project's validation messages, {@code "<attribute> must be <rule> but was
 * <value>"}.
 */
public final class Rejections {
    private Rejections() {}

    /**
     * Asserts that the call throws {@link IllegalArgumentException} with a message that starts with
     * the attribute's name and reports the bad value.
     *
     * @param call the call expected to throw
     * @param attribute the attribute the message must start with
     * @param badValue the value the message must report after {@code "but was "}
     */
    public static void assertRejected(ThrowingCallable call, String attribute, String badValue) {
        assertThatIllegalArgumentException()
                .isThrownBy(call)
                .withMessageStartingWith(attribute + " must ")
                .withMessageContaining("but was " + badValue);
    }

    /**
     * A named case for a {@code @ParameterizedTest(name = "{0}")} over invalid values.
     *
     * @param description what is wrong, shown as the case's name
     * @param call the call expected to throw
     * @param attribute the attribute the message must start with
     * @param badValue the value the message must report
     * @return the arguments {@code (call, attribute, badValue)}
     */
    public static Arguments invalid(
            String description, ThrowingCallable call, String attribute, String badValue) {
        return Arguments.of(Named.of(description, call), attribute, badValue);
    }
}
