package dev.awp.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/**
 * {@link ExtraSource} and the extra-source attributes of {@link AdversarialTraining}: the checks.
 */
class ExtraSourceTest {

    private static final AdversarialTraining BASE = Recipes.tradesAwp().withEpochs(200);

    @Test
    void should_describe_a_source_with_its_weight_only_when_it_is_not_1() {
        assertThat(ExtraSource.of("pseudo", 0.3).describe())
                .isEqualTo("0.3 of each batch from pseudo");
        assertThat(ExtraSource.of("generated", 0.4, 0.5).describe())
                .isEqualTo("0.4 of each batch from generated, loss weight 0.5");
    }

    @Test
    void should_reject_bad_attributes_naming_them() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ExtraSource.of("pseudo", 1))
                .withMessage("fraction must be in (0, 1) but was 1.0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ExtraSource.of("pseudo", 0.5, -1))
                .withMessage("lossWeight must be > 0 but was -1.0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ExtraSource.of(" ", 0.5))
                .withMessage("name must not be blank but was ' '");
    }

    @Test
    void should_weight_losses_only_when_a_weight_is_not_1() {
        assertThat(BASE.weightsLosses()).isFalse();
        assertThat(BASE.withExtraSources(ExtraSource.of("a", 0.3)).weightsLosses()).isFalse();
        assertThat(BASE.withExtraSources(ExtraSource.of("a", 0.3, 2)).weightsLosses()).isTrue();
        assertThat(BASE.withLabelledLossWeight(2).weightsLosses()).isTrue();
    }

    @Test
    void should_reject_sources_that_leave_no_labelled_share_or_share_a_name() {
        assertThatIllegalArgumentException()
                .isThrownBy(
                        () ->
                                BASE.withExtraSources(
                                        ExtraSource.of("a", 0.6), ExtraSource.of("b", 0.4)))
                .withMessageStartingWith("extraSources fractions must sum to less than 1");
        assertThatIllegalArgumentException()
                .isThrownBy(
                        () ->
                                BASE.withExtraSources(
                                        ExtraSource.of("a", 0.3), ExtraSource.of("a", 0.4)))
                .withMessage("extraSources names must be distinct but 'a' appears twice");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BASE.withLabelledLossWeight(0))
                .withMessage("labelledLossWeight must be > 0 but was 0.0");
    }

    @Test
    void should_refuse_both_the_single_fraction_and_sources() {
        assertThatIllegalArgumentException()
                .isThrownBy(
                        () ->
                                BASE.withExtraDataFraction(0.5)
                                        .withExtraSources(ExtraSource.of("a", 0.3)))
                .withMessageStartingWith("extraDataFraction must be 0 when extraSources are set");
    }
}
