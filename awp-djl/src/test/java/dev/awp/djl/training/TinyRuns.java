package dev.awp.djl.training;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import dev.awp.attack.Attacks;
import dev.awp.djl.data.ImageDataset;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import dev.awp.objective.Objectives;
import dev.awp.perturbation.WeightPerturbation;
import dev.awp.report.EpochMetrics;
import dev.awp.training.AdversarialTraining;
import dev.awp.training.CheckpointPolicy;
import dev.awp.training.EvaluationPlan;
import dev.awp.training.OptimizerSpec;
import dev.awp.training.Schedules;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Tiny specifications, models and data for trainer tests: a run takes about a second. */
final class TinyRuns {
    static final ImageDataset TRAIN = SyntheticShapes.train(48, 3);
    static final ImageDataset VALIDATION = SyntheticShapes.test(24, 3);

    private TinyRuns() {}

    /** AT-AWP, 3 epochs of 3 batches of 16, PGD-2 training and evaluation on 16 + 16 images. */
    static AdversarialTraining spec() {
        return AdversarialTraining.builder()
                .objective(Objectives.pgdAt())
                .attack(Attacks.pgdTraining().withSteps(2))
                .weightPerturbation(WeightPerturbation.of(0.01))
                .epochs(3)
                .batchSize(16)
                .optimizer(OptimizerSpec.sgd(0.05, 0.9, 5e-4))
                .schedule(Schedules.reference())
                .evaluation(
                        EvaluationPlan.builder()
                                .subsetSize(16)
                                .trainSubsetSize(16)
                                .attack(Attacks.pgd(2))
                                .build())
                .checkpoints(CheckpointPolicy.builder().build())
                .seed(11)
                .build();
    }

    static AdversarialTrainer.Builder trainer(AdversarialTraining spec) {
        return AdversarialTrainer.builder(spec)
                .setTrainData(TRAIN)
                .setValidationData(VALIDATION)
                .optNoProgress();
    }

    static Model model() {
        Model model = Model.newInstance("tiny");
        model.setBlock(tinyCnn());
        return model;
    }

    static Block tinyCnn() {
        return SmallCnn.builder().setNumClasses(10).optWidth(2).optHiddenUnits(8).build();
    }

    /** Copies of every parameter (weights and BatchNorm statistics), by name, as float arrays. */
    static Map<String, float[]> weights(Model model) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        for (var pair : model.getBlock().getParameters()) {
            NDArray array = pair.getValue().getArray();
            copy.put(pair.getKey(), array.toFloatArray());
        }
        return copy;
    }

    /** The metrics without their timings, which differ from run to run. */
    static List<EpochMetrics> untimed(List<EpochMetrics> metrics) {
        return metrics.stream().map(m -> m.withElapsedSeconds(0)).collect(Collectors.toList());
    }
}
