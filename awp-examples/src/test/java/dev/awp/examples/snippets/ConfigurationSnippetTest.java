package dev.awp.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.awp.perturbation.StepOrder;
import dev.awp.training.AdversarialTraining;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigurationSnippetTest {

    @Test
    void should_build_the_attacks_of_the_concepts_page() {
        assertThat(ConfigurationSnippet.attacks())
                .extracting(a -> a.name())
                .containsExactly("PGD-10", "PGD-20", "PGD-10");
    }

    @Test
    void should_build_the_perturbations_of_the_concepts_page() {
        var perturbations = ConfigurationSnippet.perturbations();
        assertThat(perturbations.get(1).isActive(9)).isFalse();
        assertThat(perturbations.get(1).isActive(10)).isTrue();
        assertThat(perturbations.get(2).stepOrder()).isEqualTo(StepOrder.RESTORE_THEN_UPDATE);
        assertThat(perturbations.get(3).gamma()).isZero();
        assertThat(perturbations.get(4).direction())
                .isEqualTo(dev.awp.perturbation.PerturbationDirection.LAST_ATTACK_STEP);
        assertThat(perturbations.get(0).direction())
                .isEqualTo(dev.awp.perturbation.PerturbationDirection.EXACT);
    }

    @Test
    void should_build_the_recipes_and_their_overrides() {
        List<AdversarialTraining> recipes = ConfigurationSnippet.recipes();
        assertThat(recipes.get(0).weightPerturbation().gamma()).isEqualTo(0.01);
        assertThat(recipes.get(3).weightPerturbation().gamma()).isZero();
        assertThat(recipes.get(4).epochs()).isEqualTo(20);
        assertThat(recipes.get(4).seed()).isEqualTo(42);
        assertThat(recipes.get(5).objective().name()).contains("MART");
    }
}
