package dev.awp.djl.data;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Progress;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.awp.djl.internal.AtomicFiles;
import dev.awp.report.Accuracy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Pseudo-labelling the way robust self-training does it (Carmon et al., 2019): a standard
 * classifier, trained on the labelled data (or loaded), labels a pool of unlabelled images with its
 * most probable class; the labelled pool is then the extra data of a run ({@code
 * AdversarialTrainer.Builder.optExtraData}, {@code Recipes.rstAwp()}).
 *
 * <pre>{@code
 * ImageDataset pseudo = PseudoLabels.label(classifier, pool, 256, Path.of("pool.labels.json"),
 *         new ProgressBar());
 * Accuracy agreement = PseudoLabels.accuracy(pseudo, poolWithTrueLabels);  // where they exist
 * }</pre>
 *
 * <p>The model is run in inference mode ({@code training = false}: BatchNorm running statistics, no
 * dropout), in batches of the pool in its order; the label of an image is the arg-max of its
 * logits. An {@link ImageDataset} always carries labels: those of an unlabelled pool are ignored
 * (use zeros), and {@link #accuracy} compares with them when they are true labels.
 *
 * <p><b>Saved and resumable.</b> With a file, the labels so far are written to it atomically (JSON:
 * the format, the pool's size, a CRC-32C of its pixels, a CRC-32C of the model's parameters, the
 * number of classes and the labels) every twentieth of the pool and at the end. Labelling again
 * with the same file, pool and model continues after the last saved label (a finished file is just
 * read); a file of another pool or model is refused. {@link #read} reloads finished labels.
 */
public final class PseudoLabels {

    private static final int FORMAT = 1;
    private static final Gson GSON = new Gson();

    private PseudoLabels() {}

    /**
     * Labels a pool with a classifier, without saving the labels.
     *
     * @param model the classifier, initialized; its block is borrowed
     * @param pool the images to label
     * @param batchSize the inference batch size, at least 1
     * @param progress where progress goes, e.g. a DJL {@code ProgressBar}
     * @return the pool's images with the model's labels
     * @throws IllegalArgumentException if {@code batchSize < 1} or the model's outputs do not have
     *     the pool's number of classes
     */
    public static ImageDataset label(
            Model model, ImageDataset pool, int batchSize, Progress progress) {
        return new Labeller(model, pool, batchSize, progress, null).run();
    }

    /**
     * Labels a pool with a classifier, saving the labels to {@code file} as it goes and continuing
     * a previous labelling of the same pool by the same model saved there.
     *
     * @param model the classifier, initialized; its block is borrowed
     * @param pool the images to label
     * @param batchSize the inference batch size, at least 1
     * @param file the labels file, written atomically
     * @param progress where progress goes
     * @return the pool's images with the model's labels
     * @throws IllegalArgumentException if {@code batchSize < 1}, the model's outputs do not have
     *     the pool's number of classes, or {@code file} holds labels of another pool or model
     * @throws UncheckedIOException if the file cannot be read or written
     */
    public static ImageDataset label(
            Model model, ImageDataset pool, int batchSize, Path file, Progress progress) {
        return new Labeller(model, pool, batchSize, progress, requireNonNull(file, "file")).run();
    }

    /**
     * Reloads the finished labels of a pool saved by {@link #label(Model, ImageDataset, int, Path,
     * Progress)}.
     *
     * @param file the labels file
     * @param pool the pool they label
     * @return the pool's images with the saved labels
     * @throws IllegalArgumentException if the file labels another pool or is not finished
     * @throws UncheckedIOException if the file cannot be read
     */
    public static ImageDataset read(Path file, ImageDataset pool) {
        JsonObject json = readJson(requireNonNull(file, "file"));
        checkPool(json, pool, file);
        int[] labels = GSON.fromJson(json.get("labels"), int[].class);
        checkArgument(
                labels.length == pool.size(),
                "labels in %s must be finished (%s) but were %s: label the pool again with this"
                        + " file to continue",
                file,
                pool.size(),
                labels.length);
        return withLabels(pool, labels);
    }

    /**
     * How many pseudo-labels equal the true labels, where those exist.
     *
     * @param pseudoLabelled the pseudo-labelled pool
     * @param truth the same images with their true labels
     * @return the accuracy of the pseudo-labels
     * @throws IllegalArgumentException if the sizes differ
     */
    public static Accuracy accuracy(ImageDataset pseudoLabelled, ImageDataset truth) {
        checkArgument(
                truth.size() == pseudoLabelled.size(),
                "truth.size must be the pseudo-labelled pool's (%s) but was %s",
                pseudoLabelled.size(),
                truth.size());
        int correct = 0;
        for (int i = 0; i < truth.size(); i++) {
            if (truth.labels[i] == pseudoLabelled.labels[i]) {
                correct++;
            }
        }
        return Accuracy.of(correct, truth.size());
    }

    /** One labelling: the pool in batches, saved every twentieth of it when there is a file. */
    private static final class Labeller {
        private final Block block;
        private final NDManager manager;
        private final ImageDataset pool;
        private final int batchSize;
        private final Progress progress;
        private final Path file;
        private final long modelCrc;

        Labeller(Model model, ImageDataset pool, int batchSize, Progress progress, Path file) {
            requireNonNull(model, "model");
            this.block = requireNonNull(model.getBlock(), "model.block");
            this.manager = model.getNDManager();
            this.pool = requireNonNull(pool, "pool");
            checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
            this.batchSize = batchSize;
            this.progress = requireNonNull(progress, "progress");
            this.file = file;
            this.modelCrc = file == null ? 0 : modelCrc(block);
        }

        ImageDataset run() {
            int[] labels = new int[pool.size()];
            int done = resumeInto(labels);
            int batches = pool.numBatches(batchSize);
            int saveEvery = Math.max(1, batches / 20);
            progress.reset("Pseudo-labelling " + pool.name(), batches);
            int batch = done / batchSize;
            ParameterStore store = new ParameterStore(manager, false);
            while (done < labels.length) {
                int to = Math.min(done + batchSize, labels.length);
                int[] indices = new int[to - done];
                int from = done;
                Arrays.setAll(indices, i -> from + i);
                try (NDManager scope = manager.newSubManager();
                        Batch images = pool.batch(scope, indices)) {
                    NDArray logits =
                            block.forward(store, new NDList(images.getData().head()), false).head();
                    checkArgument(
                            logits.getShape().get(1) == pool.numClasses(),
                            "the model's classes must be the pool's (%s) but were %s",
                            pool.numClasses(),
                            logits.getShape().get(1));
                    long[] predicted = logits.argMax(1).toLongArray();
                    for (int i = 0; i < predicted.length; i++) {
                        labels[done + i] = (int) predicted[i];
                    }
                }
                done = to;
                batch++;
                progress.update(batch - 1);
                if (file != null && (batch % saveEvery == 0 || done == labels.length)) {
                    save(labels, done);
                }
            }
            progress.end();
            return withLabels(pool, labels);
        }

        /** Copies the saved labels of this pool and model into {@code labels}; their count. */
        private int resumeInto(int[] labels) {
            if (file == null || !Files.exists(file)) {
                return 0;
            }
            JsonObject json = readJson(file);
            checkPool(json, pool, file);
            long saved = json.get("modelCrc32c").getAsLong();
            checkArgument(
                    saved == modelCrc,
                    "labels file modelCrc32c must be the model's (%s) but was %s: %s was labelled"
                            + " by another model; delete it or use another file",
                    modelCrc,
                    saved,
                    file);
            int[] done = GSON.fromJson(json.get("labels"), int[].class);
            System.arraycopy(done, 0, labels, 0, done.length);
            return done.length;
        }

        private void save(int[] labels, int done) {
            JsonObject json = poolJson(pool);
            json.addProperty("modelCrc32c", modelCrc);
            json.add("labels", GSON.toJsonTree(Arrays.copyOf(labels, done)));
            try {
                AtomicFiles.writeString(file, GSON.toJson(json));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the labels file " + file, e);
            }
        }
    }

    /** What identifies a pool in a labels file: the format, size, classes and pixels' CRC-32C. */
    private static JsonObject poolJson(ImageDataset pool) {
        JsonObject json = new JsonObject();
        json.addProperty("format", FORMAT);
        json.addProperty("poolSize", pool.size());
        json.addProperty("numClasses", pool.numClasses());
        CRC32C crc = new CRC32C();
        crc.update(pool.images);
        json.addProperty("poolCrc32c", crc.getValue());
        return json;
    }

    private static void checkPool(JsonObject json, ImageDataset pool, Path file) {
        JsonObject expected = poolJson(pool);
        for (String key : new String[] {"format", "poolSize", "numClasses", "poolCrc32c"}) {
            checkArgument(
                    expected.get(key).equals(json.get(key)),
                    "labels file %s must be the pool's (%s) but was %s: %s labels another pool",
                    key,
                    expected.get(key),
                    json.get(key),
                    file);
        }
    }

    private static JsonObject readJson(Path file) {
        try {
            return GSON.fromJson(Files.readString(file), JsonObject.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the labels file " + file, e);
        }
    }

    /** A CRC-32C of every initialized parameter's bytes, in the block's order. */
    private static long modelCrc(Block block) {
        CRC32C crc = new CRC32C();
        for (Parameter parameter : block.getParameters().values()) {
            if (parameter.isInitialized()) {
                crc.update(parameter.getArray().toByteArray());
            }
        }
        return crc.getValue();
    }

    private static ImageDataset withLabels(ImageDataset pool, int[] labels) {
        // shares the pool's pixels, which no one writes
        return new ImageDataset(
                pool.name() + " (pseudo-labelled)",
                pool.channels,
                pool.height,
                pool.width,
                pool.images,
                labels,
                pool.numClasses());
    }
}
