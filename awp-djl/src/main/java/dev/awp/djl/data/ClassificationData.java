package dev.awp.djl.data;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import com.google.common.math.IntMath;
import java.math.RoundingMode;
import java.util.List;

/**
 * Labelled examples for classification, as the trainer, the evaluator and the diagnostics read
 * them: seeded, reproducible training batches and fixed evaluation batches, whatever the input
 * shape. {@link ImageDataset} is the in-memory implementation for images; {@link
 * #of(RandomAccessDataset, int)} adapts any DJL dataset.
 *
 * <p><b>Batch contract.</b> A batch's only data array is the inputs {@code x}, float32 of shape
 * {@code (B, inputShape...)} within the input domain the attacks assume ([0, 1] for images by
 * default), and its only label array is {@code y}, the int64 class indices {@code (B)} in {@code
 * [0, numClasses())}; a {@link #mixed(ClassificationData, double, List) mixed} training batch with
 * loss weights has them as a second label array named {@value #LOSS_WEIGHTS}. Each batch owns a
 * sub-manager of the given manager, on its device; the caller closes it.
 *
 * <p><b>Determinism.</b> {@link #trainingBatches} is a function of {@code (seed, epoch)} only: the
 * same arguments give the same batches, bit for bit, whatever was iterated before; {@link
 * #subset(int, long)} is a function of its seed.
 */
public interface ClassificationData {

    /**
     * The name of the per-example loss weights a {@link #mixed(ClassificationData, double, List)
     * mixed} training batch carries as its second label array when a source's weight is not 1.
     */
    String LOSS_WEIGHTS = "lossWeights";

    /**
     * Adapts a DJL dataset ({@code ArrayDataset}, {@code ImageFolder}, {@code Mnist}, {@code
     * Cifar10}, your own {@link RandomAccessDataset}), named after its class. See {@link
     * #of(String, RandomAccessDataset, int)}.
     *
     * @param dataset the dataset; its records hold one data array and one label array
     * @param numClasses the number of classes, at least 2
     * @return the adapter
     * @throws NullPointerException if {@code dataset} is null
     * @throws IllegalArgumentException if {@code numClasses < 2}, the dataset is empty or its first
     *     example is malformed
     * @throws java.io.UncheckedIOException if the dataset cannot be prepared or read
     */
    static ClassificationData of(RandomAccessDataset dataset, int numClasses) {
        requireNonNull(dataset, "dataset");
        return of(dataset.getClass().getSimpleName(), dataset, numClasses);
    }

    /**
     * Adapts a DJL dataset, so that the trainer and the evaluator read it with this interface's
     * seeded, reproducible batching instead of DJL's unseeded samplers.
     *
     * <p><b>Preparation.</b> The dataset is {@linkplain RandomAccessDataset#prepare() prepared}
     * here (a no-op when it already is), and its first example is read for {@link #inputShape()}.
     *
     * <p><b>Batches.</b> A batch's examples are read through DJL ({@link
     * RandomAccessDataset#getData(NDManager, ai.djl.training.dataset.Sampler)} with exactly their
     * indices), so the dataset's transforms, target transforms and batchifiers apply as in a DJL
     * loop; add {@code ToTensor} for images so that inputs are CHW in [0, 1]. The stacked inputs
     * are converted to float32; the labels, integer or integral floating class indices (DJL's
     * {@code Mnist} and {@code Cifar10} give float32) shaped {@code (B)} or {@code (B, 1)}, become
     * int64 {@code (B)}. The per-example arrays live in a scratch manager closed before the batch
     * is returned. The order of a training epoch is a seeded permutation of {@code (seed, epoch)};
     * evaluation batches are in dataset order.
     *
     * <p><b>Checks.</b> An input that is not finite, an input whose shape differs from the first
     * example's, a label that is not an integral class index in {@code [0, numClasses)}, and a
     * record without exactly one data and one label array make {@link #trainingBatches} and {@link
     * #evaluationBatches} throw an {@link IllegalArgumentException} that names the example index
     * (in the DJL dataset) and the value.
     *
     * <p><b>Augmentation.</b> Only {@link Augmentation#none()} is accepted (it is the trainer's
     * default for data other than {@link ImageDataset}); put DJL transforms in the dataset's
     * pipeline instead. Random transforms draw from the engine's generators, which {@link
     * #trainingBatches} seeds from {@code (seed, epoch, batch)} before reading each batch, so that
     * they too are reproducible; a multi-threaded or stateful dataset may still break that.
     *
     * <p><b>Subsets</b> are seeded random views, not stratified, sharing the dataset.
     *
     * @param name a name for reports, not blank
     * @param dataset the dataset; its records hold one data array and one label array
     * @param numClasses the number of classes, at least 2
     * @return the adapter
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank, {@code numClasses < 2}, the
     *     dataset is empty or its first example is malformed
     * @throws java.io.UncheckedIOException if the dataset cannot be prepared or read
     * @throws IllegalStateException if a transform of the dataset fails
     */
    static ClassificationData of(String name, RandomAccessDataset dataset, int numClasses) {
        return DjlClassificationData.create(name, dataset, numClasses);
    }

    /**
     * Labelled data and an extra source (pseudo-labelled or generated images, or any other {@code
     * ClassificationData}) mixed in every training batch at a fixed fraction, as robust
     * self-training (Carmon et al., 2019: half of each batch pseudo-labelled) and the
     * generated-data recipes (e.g. 0.7 generated) train. A training batch of {@code B} holds {@code
     * B − k} labelled examples then {@code k = round(extraFraction · B)} extra ones; an epoch is
     * one pass over the labelled data ({@code ceil(labelled.size / (B − k))} batches), whose last,
     * smaller batch keeps the ratio ({@code round(n·k/(B − k))} extra examples for its {@code n}
     * labelled ones). The labelled part is the labelled data's own batches of {@code B − k} for
     * {@code (seed, epoch)}; the extra part reads the extra source's batches of {@code k} for
     * {@code (seed', epoch)}, {@code seed'} derived from {@code (seed, pass)}, starting a new pass
     * with a new order when one is used up. So every batch is a function of {@code (seed, epoch)},
     * as the contract asks, and a resumed run sees the same batches. Evaluation batches and subsets
     * are the labelled data's; {@link #size()} counts both sources.
     *
     * @param labelled the labelled data
     * @param extra the extra source, with the labelled data's input shape and classes
     * @param extraFraction the fraction of each batch from {@code extra}, in {@code (0, 1)}
     * @return the mixed data
     * @throws NullPointerException if a source is null
     * @throws IllegalArgumentException if {@code extraFraction} is not in {@code (0, 1)}, or the
     *     sources differ in input shape or number of classes; {@link #trainingBatches} and {@link
     *     #numBatches} throw it when {@code round(extraFraction · B)} is 0 or {@code B}
     */
    static ClassificationData mixed(
            ClassificationData labelled, ClassificationData extra, double extraFraction) {
        requireNonNull(extra, "extra");
        checkArgument(
                extraFraction > 0 && extraFraction < 1,
                "extraFraction must be in (0, 1) but was %s",
                extraFraction);
        return new MixedData(labelled, 1, List.of(MixedSource.of(extra, extraFraction)));
    }

    /**
     * Labelled data and one or more extra sources mixed in every training batch, each at its own
     * fraction (e.g. 0.3 pseudo-labelled and 0.4 generated), with per-source loss weights.
     *
     * <p><b>Counts.</b> A full training batch of {@code B} holds {@code k_0} labelled examples
     * first, then {@code k_j} of source {@code j} in the sources' order. The counts are the largest
     * remainder of the quotas {@code q_j = f_j·B} and {@code q_0 = B − Σ_j q_j}: each {@code k_j =
     * floor(q_j)}, then the {@code B − Σ floor(q_j)} examples still missing go one each to the
     * largest fractional parts, ties to the sources in their order before the labelled data. So
     * every full batch has exactly {@code B} examples and the same counts, each within 1 of its
     * quota; for one source {@code k_1 = round(f·B)} (half up), as {@link
     * #mixed(ClassificationData, ClassificationData, double)} has always done. An epoch is one pass
     * over the labelled data, {@code ceil(labelled.size / k_0)} batches; the last, smaller batch of
     * {@code n} labelled examples holds {@code round(n·k_j/k_0)} (half up) of source {@code j}.
     * Over an epoch the labelled data is read exactly once and source {@code j} gives {@code
     * (batches − 1)·k_j} plus the last batch's count.
     *
     * <p><b>Order.</b> The labelled part is the labelled data's own batches of {@code k_0} for
     * {@code (seed, epoch)}; source {@code j} is read in its batches of {@code k_j} for {@code
     * (seed', epoch)}, {@code seed'} derived from {@code (seed, pass)} for the first source and
     * {@code (seed, j, pass)} for the others, a new pass with a new order starting when one is used
     * up. Every batch is a function of {@code (seed, epoch)}, so a resumed run sees the same
     * batches.
     *
     * <p><b>Loss weights.</b> When a weight is not 1, every training batch carries a second label
     * array named {@value #LOSS_WEIGHTS}: float32 {@code (B)}, each example's source weight. The
     * trainer's step then minimizes the weighted mean {@code Σ_i w_i·ℓ_i / Σ_i w_i} of the
     * objective's per-example losses (see {@code TrainingObjective.loss(.., weights)}). With every
     * weight 1 the batches carry no weights and the step is the plain mean, unchanged.
     *
     * <p>Evaluation batches and subsets are the labelled data's; {@link #size()} counts every
     * source.
     *
     * @param labelled the labelled data
     * @param labelledLossWeight the weight of the labelled examples' losses, finite and &gt; 0
     * @param sources the extra sources, at least one, with the labelled data's input shape and
     *     classes, their fractions summing to less than 1
     * @return the mixed data
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a weight or the sum of the fractions is out of range, or
     *     a source differs in input shape or number of classes; {@link #trainingBatches} and {@link
     *     #numBatches} throw it when a count of a full batch is 0
     */
    static ClassificationData mixed(
            ClassificationData labelled, double labelledLossWeight, List<MixedSource> sources) {
        return new MixedData(labelled, labelledLossWeight, sources);
    }

    /**
     * A short name for reports and progress output.
     *
     * @return the name
     */
    String name();

    /**
     * The number of examples.
     *
     * @return at least 1
     */
    int size();

    /**
     * The number of classes; labels are in {@code [0, numClasses())}.
     *
     * @return at least 2
     */
    int numClasses();

    /**
     * The shape of one input, without the batch axis: {@code (C, H, W)} for images, {@code (F)} for
     * feature vectors. The trainer initializes the model with {@code (1, inputShape...)}.
     *
     * @return the shape
     */
    Shape inputShape();

    /**
     * The number of batches of an epoch, the last one possibly smaller.
     *
     * @param batchSize the batch size, at least 1
     * @return {@code ceil(size() / batchSize)}
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    default int numBatches(int batchSize) {
        checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
        return IntMath.divide(size(), batchSize, RoundingMode.CEILING);
    }

    /**
     * The batches of one training epoch, in an order and with an augmentation that are functions of
     * {@code (seed, epoch)}.
     *
     * @param manager the manager whose sub-managers own the batches; its device is the batches'
     * @param batchSize the batch size, at least 1
     * @param seed the run's seed
     * @param epoch the 0-based epoch
     * @param augmentation the augmentation; implementations that cannot apply it reject anything
     *     but {@link Augmentation#none()}
     * @return the batches; the caller closes each
     */
    Iterable<Batch> trainingBatches(
            NDManager manager, int batchSize, long seed, int epoch, Augmentation augmentation);

    /**
     * The batches of an evaluation pass: every example once, in dataset order, not augmented.
     *
     * @param manager the manager whose sub-managers own the batches; its device is the batches'
     * @param batchSize the batch size, at least 1
     * @return the batches; the caller closes each
     */
    Iterable<Batch> evaluationBatches(NDManager manager, int batchSize);

    /**
     * A seeded random subset, stratified or not as the implementation documents.
     *
     * @param size the number of examples, in {@code [1, size()]}
     * @param seed the seed that draws them
     * @return the subset
     * @throws IllegalArgumentException if {@code size} is out of range
     */
    ClassificationData subset(int size, long seed);
}
