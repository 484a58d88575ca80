package dev.awp.djl.diagnostics;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.gson.GsonBuilder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A weight loss landscape: the adversarial and clean losses at {@code w + α·d} for each α.
 *
 * @param name the label of the model (e.g. {@code "AT-AWP"})
 * @param alphas the grid of α
 * @param adversarialLoss the mean adversarial cross-entropy at each α
 * @param cleanLoss the mean clean cross-entropy at each α
 * @param attack the name of the attack that generated the adversarial examples
 * @param seed the seed of the direction and the attacks
 * @param examples the number of examples
 */
public record LandscapeResult(
        String name,
        double[] alphas,
        double[] adversarialLoss,
        double[] cleanLoss,
        String attack,
        long seed,
        int examples) {

    /**
     * Creates a landscape, copying the arrays.
     *
     * @param name the label of the model
     * @param alphas the grid of α
     * @param adversarialLoss the adversarial loss at each α
     * @param cleanLoss the clean loss at each α
     * @param attack the attack's name
     * @param seed the seed
     * @param examples the number of examples
     * @throws IllegalArgumentException if the arrays differ in length
     */
    public LandscapeResult {
        requireNonNull(name, "name");
        requireNonNull(attack, "attack");
        alphas = alphas.clone();
        adversarialLoss = adversarialLoss.clone();
        cleanLoss = cleanLoss.clone();
        checkArgument(
                adversarialLoss.length == alphas.length && cleanLoss.length == alphas.length,
                "losses must have one value per alpha (%s) but had %s and %s",
                alphas.length,
                adversarialLoss.length,
                cleanLoss.length);
    }

    /**
     * The grid of α.
     *
     * @return a copy of the grid
     */
    @Override
    public double[] alphas() {
        return alphas.clone();
    }

    /**
     * The mean adversarial cross-entropy at each α.
     *
     * @return a copy of the losses
     */
    @Override
    public double[] adversarialLoss() {
        return adversarialLoss.clone();
    }

    /**
     * The mean clean cross-entropy at each α.
     *
     * @return a copy of the losses
     */
    @Override
    public double[] cleanLoss() {
        return cleanLoss.clone();
    }

    /**
     * The landscape as CSV with a header: {@code alpha,adversarial_loss,clean_loss}.
     *
     * @return the CSV text
     */
    public String toCsv() {
        StringBuilder csv = new StringBuilder("alpha,adversarial_loss,clean_loss\n");
        for (int i = 0; i < alphas.length; i++) {
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "%s,%s,%s%n",
                            alphas[i],
                            adversarialLoss[i],
                            cleanLoss[i]));
        }
        return csv.toString();
    }

    /**
     * The landscape as a JSON object.
     *
     * @return the JSON text
     */
    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("attack", attack);
        json.put("seed", seed);
        json.put("examples", examples);
        json.put("alphas", alphas);
        json.put("adversarial_loss", adversarialLoss);
        json.put("clean_loss", cleanLoss);
        return new GsonBuilder().setPrettyPrinting().create().toJson(json);
    }

    /**
     * The loss increase from α = 0 to the ends of the grid, averaged: a one-number sharpness.
     *
     * @return {@code (g(α_first) + g(α_last))/2 − g(0)}, or NaN when 0 is not on the grid
     */
    public double sharpness() {
        int zero = -1;
        for (int i = 0; i < alphas.length; i++) {
            if (alphas[i] == 0) {
                zero = i;
            }
        }
        if (zero < 0) {
            return Double.NaN;
        }
        return (adversarialLoss[0] + adversarialLoss[alphas.length - 1]) / 2
                - adversarialLoss[zero];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LandscapeResult r
                && name.equals(r.name)
                && Arrays.equals(alphas, r.alphas)
                && Arrays.equals(adversarialLoss, r.adversarialLoss)
                && Arrays.equals(cleanLoss, r.cleanLoss)
                && attack.equals(r.attack)
                && seed == r.seed
                && examples == r.examples;
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(adversarialLoss);
    }

    @Override
    public String toString() {
        return "LandscapeResult[" + name + ", " + alphas.length + " points, " + attack + "]";
    }
}
