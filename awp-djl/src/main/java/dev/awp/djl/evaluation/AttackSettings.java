package dev.awp.djl.evaluation;

import dev.awp.attack.ApgdAttack;
import dev.awp.attack.Attack;
import dev.awp.attack.FgsmAttack;
import dev.awp.attack.PgdAttack;
import dev.awp.attack.ThreatModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** The settings of an attack as the name → value entries of a report. */
final class AttackSettings {

    private AttackSettings() {}

    static Map<String, String> of(Attack attack) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("type", type(attack));
        ThreatModel tm = attack.threatModel();
        settings.put("norm", tm.norm().name());
        settings.put("epsilon", Double.toString(tm.epsilon()));
        if (attack instanceof PgdAttack) {
            PgdAttack pgd = (PgdAttack) attack;
            settings.put("steps", Integer.toString(pgd.steps()));
            settings.put("stepSize", Double.toString(pgd.stepSize()));
            settings.put("randomStart", pgd.randomStart().name());
            settings.put("restarts", Integer.toString(pgd.restarts()));
            settings.put("loss", pgd.loss().kind().name());
            settings.put("kappa", Double.toString(pgd.loss().kappa()));
            settings.put("batchNormMode", pgd.batchNormMode().name());
        } else if (attack instanceof FgsmAttack) {
            FgsmAttack fgsm = (FgsmAttack) attack;
            settings.put("stepSize", Double.toString(fgsm.stepSize()));
            settings.put("randomStart", fgsm.randomStart().name());
            settings.put("batchNormMode", fgsm.batchNormMode().name());
        } else if (attack instanceof ApgdAttack) {
            ApgdAttack apgd = (ApgdAttack) attack;
            settings.put("steps", Integer.toString(apgd.steps()));
            settings.put("restarts", Integer.toString(apgd.restarts()));
            settings.put("loss", apgd.loss().name());
            settings.put("targeted", Boolean.toString(apgd.targeted()));
            if (apgd.targeted()) {
                settings.put("targetClasses", Integer.toString(apgd.targetClasses()));
            }
            settings.put("rho", Double.toString(apgd.rho()));
            settings.put("batchNormMode", apgd.batchNormMode().name());
        } else {
            settings.put("description", attack.toString());
        }
        return settings;
    }

    private static String type(Attack attack) {
        if (attack instanceof PgdAttack) {
            return "PGD";
        }
        if (attack instanceof FgsmAttack) {
            return "FGSM";
        }
        if (attack instanceof ApgdAttack) {
            return "APGD";
        }
        return attack.getClass().getName();
    }
}
