/**
 * Labelled data for training and evaluation: in-memory image datasets of any C×H×W shape (3×32×32
 * CIFAR, 1×28×28 MNIST family), any DJL dataset, seeded batching and the recipes' augmentations.
 *
 * <ul>
 *   <li>{@link dev.awp.djl.data.ClassificationData} — what the trainer and the evaluator read;
 *       {@link dev.awp.djl.data.ClassificationData#of(ai.djl.training.dataset.RandomAccessDataset,
 *       int)} adapts any DJL {@code RandomAccessDataset} with a seeded epoch order;
 *   <li>{@link dev.awp.djl.data.ImageDataset} — images as bytes, deterministic shuffled and
 *       augmented mini-batches as DJL {@link ai.djl.training.dataset.Batch}es with inputs in [0,
 *       1], fixed seeded subsets;
 *   <li>{@link dev.awp.djl.data.Augmentation} — reflect- or zero-pad, random crop, horizontal flip,
 *       for any image size;
 *   <li>{@link dev.awp.djl.data.CifarReader} — CIFAR-10 and CIFAR-100 from their binary files;
 *   <li>{@link dev.awp.djl.data.IdxReader} — MNIST, Fashion-MNIST and KMNIST from their IDX files,
 *       raw or gzipped;
 *   <li>{@link dev.awp.djl.data.SyntheticShapes} — a procedurally generated 10-class dataset, the
 *       default for examples and tests.
 * </ul>
 *
 * <p>One seed fixes everything random here: the order of each epoch, the augmentation of each
 * batch, subsets and generated images. The generator is SplitMix64, written out in {@code
 * dev.awp.djl.internal}, so the same seed gives the same bytes on every JVM.
 */
package dev.awp.djl.data;
