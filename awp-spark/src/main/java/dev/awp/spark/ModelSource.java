package dev.awp.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import dev.awp.djl.torchscript.TorchScriptClassifier;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the executors find the model: a path on storage every executor (and the driver) reads,
 * loaded once per JVM ({@link ExecutorModels}). With {@link
 * SparkEvaluation.Builder#optBroadcastModel(boolean)} the driver reads the files instead and ships
 * them to the executors as a Spark broadcast. Two kinds:
 *
 * <ul>
 *   <li>{@link #parameters(Path, String, String)}: a directory with DJL parameters ({@code
 *       model.save(dir, name)} writes {@code name-0000.params}) and the name of a {@link
 *       BlockFactory} class with a no-arg constructor that builds the block;
 *   <li>{@link #torchScript(Path)}: a TorchScript file, run through {@link TorchScriptClassifier}.
 * </ul>
 *
 * <p>A source is identified by its path and by the size and modification time of its files, so that
 * a model replaced on disk is loaded again (and gets another configuration key).
 */
public abstract class ModelSource implements Serializable {

    private static final long serialVersionUID = 1L;

    ModelSource() {}

    /**
     * DJL parameters and a block factory.
     *
     * @param directory the directory holding {@code name-NNNN.params}
     * @param name the model's name, as passed to {@code model.save(directory, name)}
     * @param blockFactory the binary name of a {@link BlockFactory} with a public no-arg
     *     constructor, on the application's class path
     * @return the source
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} or {@code blockFactory} is blank
     */
    public static ModelSource parameters(Path directory, String name, String blockFactory) {
        requireNonNull(directory, "directory");
        requireNonNull(name, "name");
        requireNonNull(blockFactory, "blockFactory");
        checkArgument(!name.isBlank(), "name must not be blank but was '%s'", name);
        checkArgument(
                !blockFactory.isBlank(),
                "blockFactory must not be blank but was '%s'",
                blockFactory);
        return new Parameters(directory.toAbsolutePath().toString(), name, blockFactory);
    }

    /**
     * A TorchScript file (a scripted or traced {@code nn.Module} returning logits).
     *
     * @param file the {@code .pt} file
     * @return the source
     * @throws NullPointerException if {@code file} is null
     */
    public static ModelSource torchScript(Path file) {
        requireNonNull(file, "file");
        return new TorchScript(file.toAbsolutePath().toString());
    }

    /**
     * Loads the model.
     *
     * @return a new model; its block is initialized
     * @throws IllegalArgumentException if the files are missing or cannot be loaded
     */
    abstract Model load();

    /** The path, with the size and modification time of what is loaded. */
    abstract String cacheKey();

    /**
     * The files {@link #load()} reads, by their names relative to {@link #directory()}: what a
     * broadcast ships ({@link BroadcastModel}).
     */
    abstract List<Path> files();

    /** The directory of {@link #files()}. */
    abstract Path directory();

    /** The same kind of source, reading the same file names from another directory. */
    abstract ModelSource in(Path directory);

    static String stamp(Path file) {
        try {
            return file + "@" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the attributes of " + file, e);
        }
    }

    private static final class Parameters extends ModelSource {
        private static final long serialVersionUID = 1L;
        private final String directory;
        private final String name;
        private final String blockFactory;

        Parameters(String directory, String name, String blockFactory) {
            this.directory = directory;
            this.name = name;
            this.blockFactory = blockFactory;
        }

        @Override
        Model load() {
            Path dir = Path.of(directory);
            checkArgument(
                    Files.isDirectory(dir),
                    "model directory must be a directory every executor reads but %s is not",
                    dir);
            Model model = Model.newInstance(name);
            try {
                Block block = factory().newBlock(model, dir, Map.of());
                model.setBlock(block);
                model.load(dir, name);
                return model;
            } catch (IOException | MalformedModelException | RuntimeException e) {
                model.close();
                throw new IllegalArgumentException(
                        "model must load from "
                                + dir
                                + " (parameters '"
                                + name
                                + "', block factory "
                                + blockFactory
                                + ") but could not: "
                                + e.getMessage(),
                        e);
            }
        }

        private BlockFactory factory() {
            try {
                Class<?> type =
                        Class.forName(
                                blockFactory, true, Thread.currentThread().getContextClassLoader());
                checkArgument(
                        BlockFactory.class.isAssignableFrom(type),
                        "blockFactory must name a %s but %s is not one",
                        BlockFactory.class.getName(),
                        blockFactory);
                return (BlockFactory) type.getConstructor().newInstance();
            } catch (ClassNotFoundException
                    | NoSuchMethodException
                    | InstantiationException
                    | IllegalAccessException
                    | InvocationTargetException e) {
                throw new IllegalArgumentException(
                        "blockFactory must name a class with a public no-arg constructor on the"
                                + " class path but "
                                + blockFactory
                                + " failed: "
                                + e,
                        e);
            }
        }

        @Override
        String cacheKey() {
            Path dir = Path.of(directory);
            StringBuilder key = new StringBuilder("parameters:" + blockFactory + ":" + dir);
            try (var files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().startsWith(name + "-"))
                        .sorted()
                        .forEach(f -> key.append('|').append(stamp(f)));
            } catch (IOException e) {
                key.append("|unreadable");
            }
            return key.toString();
        }

        @Override
        List<Path> files() {
            Path dir = Path.of(directory);
            checkArgument(
                    Files.isDirectory(dir),
                    "model directory must be a directory the driver reads but %s is not",
                    dir);
            try (var files = Files.list(dir)) {
                List<Path> params =
                        files.filter(f -> f.getFileName().toString().startsWith(name + "-"))
                                .filter(Files::isRegularFile)
                                .sorted()
                                .toList();
                checkArgument(
                        !params.isEmpty(),
                        "model directory must hold the parameters '%s' (%s-NNNN.params) but %s"
                                + " holds none",
                        name,
                        name,
                        dir);
                return params;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the model directory " + dir, e);
            }
        }

        @Override
        Path directory() {
            return Path.of(directory);
        }

        @Override
        ModelSource in(Path other) {
            return new Parameters(other.toString(), name, blockFactory);
        }

        @Override
        public String toString() {
            return "DJL parameters '" + name + "' in " + directory + " built by " + blockFactory;
        }
    }

    private static final class TorchScript extends ModelSource {
        private static final long serialVersionUID = 1L;
        private final String file;

        TorchScript(String file) {
            this.file = file;
        }

        @Override
        Model load() {
            Path path = Path.of(file);
            checkArgument(
                    Files.isRegularFile(path),
                    "model file must be a TorchScript file every executor reads but %s is not",
                    path);
            Model model = Model.newInstance(path.getFileName().toString(), "PyTorch");
            try {
                model.load(
                        path.getParent(),
                        path.getFileName().toString(),
                        Map.of("trainParam", "true"));
                TorchScriptClassifier.of(model);
                return model;
            } catch (IOException | MalformedModelException | RuntimeException e) {
                model.close();
                throw new IllegalArgumentException(
                        "model must load as TorchScript from " + path + " but could not: " + e, e);
            }
        }

        @Override
        String cacheKey() {
            Path path = Path.of(file);
            return "torchscript:" + (Files.exists(path) ? stamp(path) : path + "@missing");
        }

        @Override
        List<Path> files() {
            Path path = Path.of(file);
            checkArgument(
                    Files.isRegularFile(path),
                    "model file must be a TorchScript file the driver reads but %s is not",
                    path);
            return List.of(path);
        }

        @Override
        Path directory() {
            return Path.of(file).getParent();
        }

        @Override
        ModelSource in(Path other) {
            return new TorchScript(other.resolve(Path.of(file).getFileName()).toString());
        }

        @Override
        public String toString() {
            return "TorchScript " + file;
        }
    }
}
