package dev.awp.examples.lab;

import dev.awp.training.AdversarialTraining;
import dev.awp.training.Recipes;

/** The objective family of a method. */
enum Family {
    AT("PGD-AT", "AT-AWP"),
    TRADES("TRADES", "TRADES-AWP"),
    MART("MART", "MART-AWP");

    final String base;
    final String withAwp;

    Family(String base, String withAwp) {
        this.base = base;
        this.withAwp = withAwp;
    }

    AdversarialTraining recipe() {
        switch (this) {
            case TRADES:
                return Recipes.trades();
            case MART:
                return Recipes.mart();
            default:
                return Recipes.at();
        }
    }
}
