package dev.awp.training;

import static dev.awp.testing.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class NonFiniteValueExceptionTest {

    @Nested
    class Contents {
        @Test
        void should_name_the_quantity_and_keep_the_message() {
            NonFiniteValueException e =
                    new NonFiniteValueException("loss", "loss must be finite but was NaN");

            assertThat(e.quantity()).isEqualTo("loss");
            assertThat(e).hasMessage("loss must be finite but was NaN");
        }

        @Test
        void should_be_an_arithmetic_exception() {
            assertThat(new NonFiniteValueException("x", "x must be finite"))
                    .isInstanceOf(ArithmeticException.class);
        }
    }

    @Nested
    class Validation {
        @Test
        void should_reject_a_blank_quantity() {
            assertRejected(() -> new NonFiniteValueException(" ", "message"), "quantity", "' '");
        }
    }
}
