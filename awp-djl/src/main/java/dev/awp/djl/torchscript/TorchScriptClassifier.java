package dev.awp.djl.torchscript;

import static java.util.Objects.requireNonNull;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBaseBlock;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.awp.djl.internal.AtomicFiles;
import dev.awp.djl.internal.Guards;
import dev.awp.djl.internal.StatisticsProxy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A TorchScript classifier, loaded by DJL's PyTorch engine, as a block that awp can attack and
 * fine-tune with the guarantees it gives DJL blocks.
 *
 * <pre>{@code
 * Model model = Model.newInstance("classifier", "PyTorch");
 * model.load(dir, "model.pt", Map.of("trainParam", "true"));
 * TorchScriptClassifier classifier = TorchScriptClassifier.of(model); // now model's block
 * // evaluate, attack, or train with model / classifier as with any DJL block
 * classifier.exportTo(dir.resolve("fine-tuned.pt")); // back to Python: torch.jit.load(..)
 * }</pre>
 *
 * <p>What it changes compared with DJL's {@code PtSymbolBlock}, and why:
 *
 * <ul>
 *   <li><b>Inference mode with gradients.</b> {@code PtSymbolBlock} runs an inference-mode forward
 *       ({@code training = false}) under PyTorch's {@code InferenceMode}, which records no graph,
 *       so an attack with BatchNorm in inference mode fails ("element 0 of tensors does not require
 *       grad"). This block switches the script to {@code eval()} and runs it with autograd on: the
 *       same kernels, the running statistics used and left alone, and input gradients available.
 *       When nothing requires a gradient, autograd records nothing, so plain evaluation costs what
 *       it costs in PyTorch.
 *   <li><b>BatchNorm running statistics.</b> In a script they are buffers, not DJL parameters, so
 *       the scratch copies awp uses for DJL blocks cannot reach them. The AWP pass that computes
 *       {@code v} therefore runs on a proxy — a second copy of the script whose parameters are set
 *       to the live values before each pass, the reference's own method — and the model's
 *       statistics are never touched by it: eval-mode outputs are bit-identical after {@code
 *       perturb} and the restore. Training-mode forwards of this block (the attack of AT-AWP, the
 *       update) update the statistics, as in PyTorch.
 *   <li><b>Checkpoints.</b> {@link #saveParameters} writes the whole script (parameters and
 *       buffers); {@link #loadParameters} loads it as a new script that replaces the current one,
 *       statistics included. It replaces the parameters too: load before creating a trainer (as
 *       {@code AdversarialTrainer.resume} does), never into a model a live trainer holds.
 *   <li><b>Checks.</b> {@link #of(Model)} rejects what cannot work with a message naming the fix: a
 *       block that is not a TorchScript module, a script without parameters, a model loaded without
 *       {@code trainParam}. Every forward checks that the output is one tensor of logits, shape
 *       {@code (batch, classes)}; the first one also rejects probabilities (rows summing to 1).
 * </ul>
 *
 * <p>Limitations: one device; the script must take one tensor and return one tensor of logits. When
 * {@code AdversarialTrainer} rolls back after a divergence it restores the weights but not the
 * script's BatchNorm statistics (they are not reachable in place).
 */
public final class TorchScriptClassifier extends AbstractBaseBlock implements StatisticsProxy {

    private static final byte VERSION = 1;
    private static final double PROBABILITY_TOLERANCE = 1e-4;

    private final PtNDManager manager;
    private PtSymbolBlock script;
    private TorchScriptClassifier proxy;
    private boolean outputChecked;

    private TorchScriptClassifier(PtNDManager manager, PtSymbolBlock script) {
        super(VERSION);
        this.manager = manager;
        this.script = script;
    }

    /**
     * Wraps the TorchScript module of a model loaded by DJL's PyTorch engine and makes the wrapper
     * the model's block, so trainers, attacks and evaluators created from the model use it.
     *
     * @param model a model loaded with {@code model.load(dir, name, Map.of("trainParam", "true"))}
     * @return the classifier, also {@code model.getBlock()} from now on
     * @throws IllegalArgumentException if the model's block is not a TorchScript module of the
     *     PyTorch engine, has no parameters, or was loaded without {@code trainParam} (its
     *     parameters are inference tensors, which cannot take part in autograd; weights frozen
     *     after loading with {@code trainParam} are accepted, for evaluation)
     */
    public static TorchScriptClassifier of(Model model) {
        requireNonNull(model, "model");
        Block block = model.getBlock();
        if (block instanceof TorchScriptClassifier classifier) {
            return classifier;
        }
        if (!(block instanceof PtSymbolBlock symbolBlock)
                || !(model.getNDManager() instanceof PtNDManager manager)) {
            throw new IllegalArgumentException(
                    "model.block must be a TorchScript module loaded by DJL's PyTorch engine but"
                            + " was "
                            + (block == null ? "null" : block.getClass().getName())
                            + "; load the .pt file with Model.newInstance(name, \"PyTorch\") and"
                            + " model.load(dir, \"model.pt\", Map.of(\"trainParam\", \"true\"))");
        }
        ParameterList parameters = symbolBlock.getDirectParameters();
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException(
                    "the TorchScript module must have parameters but has none: there is nothing"
                            + " to perturb or train. Script the nn.Module itself"
                            + " (torch.jit.script(model) or torch.jit.trace(model, example)), not a"
                            + " function, and do not torch.jit.freeze it (freezing turns the"
                            + " weights into constants)");
        }
        if (inferenceTensors(parameters)) {
            throw new IllegalArgumentException(
                    "the TorchScript model must be loaded with trainParam but its "
                            + parameters.size()
                            + " parameters are frozen (DJL loads them as inference tensors, which"
                            + " cannot build the autograd graph that attacks and training need);"
                            + " load it with model.load(dir, name, Map.of(\"trainParam\","
                            + " \"true\"))");
        }
        TorchScriptClassifier classifier = new TorchScriptClassifier(manager, symbolBlock);
        model.setBlock(classifier);
        return classifier;
    }

    /**
     * Whether DJL loaded the weights as inference tensors (without {@code trainParam}): PyTorch
     * refuses to make such a tensor require gradients, which tells them apart from weights a user
     * froze after loading with {@code trainParam} (those work for evaluation).
     */
    private static boolean inferenceTensors(ParameterList parameters) {
        for (Parameter parameter : parameters.values()) {
            if (parameter.getArray().hasGradient()) {
                return false;
            }
        }
        NDArray probe = parameters.valueAt(0).getArray();
        try {
            probe.setRequiresGradient(true);
        } catch (EngineException e) {
            return true;
        }
        probe.setRequiresGradient(false);
        return false;
    }

    /**
     * The wrapped TorchScript module. Run it through this block: its own {@code forward} uses
     * PyTorch's inference mode in {@code training = false}, without gradients.
     *
     * @return the module
     */
    @SuppressWarnings("exports") // the engine's type: its users require ai.djl.pytorch_engine
    public PtSymbolBlock script() {
        return script;
    }

    /**
     * Writes the script, with its current parameters and BatchNorm statistics, as a TorchScript
     * file that {@code torch.jit.load} reads. The script is saved in {@code eval()} mode.
     *
     * @param file the {@code .pt} file to write (replaced if it exists, atomically: a reader sees
     *     the previous file or the new one, never a partial file)
     * @throws UncheckedIOException if the file cannot be written, or its file system cannot rename
     *     files atomically
     */
    public void exportTo(Path file) {
        requireNonNull(file, "file");
        JniUtils.enableInferenceMode(script);
        try {
            AtomicFiles.write(file, out -> JniUtils.writeModule(script, out, false));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(
                    "inputs must be one tensor but were " + inputs.size() + " arrays");
        }
        // module.train(bool) only sets flags: set it on every call, so nothing else that ran the
        // script (its own forward, an export) can leave it in the other mode
        if (training) {
            JniUtils.enableTrainingMode(script);
        } else {
            JniUtils.enableInferenceMode(script);
        }
        // always with autograd on (PtSymbolBlock uses InferenceMode when not training): eval()
        // picks the running statistics, and a graph is recorded only if the input or a weight
        // needs it
        NDList output = IValueUtils.forward(script, inputs, true);
        checkLogits(output, inputs.head());
        return output;
    }

    private void checkLogits(NDList output, NDArray input) {
        Shape shape = output.size() == 1 ? output.head().getShape() : null;
        if (shape == null
                || shape.dimension() != 2
                || shape.get(0) != input.getShape().get(0)
                || shape.get(1) < 2
                || !output.head().getDataType().isFloating()) {
            throw new IllegalStateException(
                    "the TorchScript model's output must be one float tensor of class logits, shape"
                            + " (batch, classes) with at least 2 classes, but was "
                            + describe(output)
                            + " for input "
                            + input.getShape()
                            + "; make forward return the logits of the last layer (a tuple or"
                            + " dict output: return only the logits tensor)");
        }
        if (!outputChecked) {
            outputChecked = true;
            try (NDArray rowSums = output.head().stopGradient().sum(new int[] {1});
                    NDArray min = output.head().stopGradient().min();
                    NDArray deviation = rowSums.sub(1).abs().max()) {
                if (min.getFloat() >= 0 && deviation.getFloat() < PROBABILITY_TOLERANCE) {
                    throw new IllegalStateException(
                            "the TorchScript model's output must be class logits but looks like"
                                    + " probabilities (non-negative, every row sums to 1 within "
                                    + String.format(Locale.ROOT, "%.0e", PROBABILITY_TOLERANCE)
                                    + "); remove the final softmax: awp's losses and attacks"
                                    + " apply it themselves");
                }
            }
        }
    }

    private static String describe(NDList output) {
        List<String> parts = new ArrayList<>();
        for (NDArray array : output) {
            parts.add(array.getDataType() + " " + array.getShape());
        }
        return output.size() == 1 ? parts.get(0) : output.size() + " tensors " + parts;
    }

    /** {@inheritDoc} */
    @Override
    public ParameterList getDirectParameters() {
        return script.getDirectParameters();
    }

    /** {@inheritDoc} */
    @Override
    public PairList<String, Shape> describeInput() {
        // a script does not declare its input shapes: known once a trainer initialized the block
        return inputShapes == null ? new PairList<>() : super.describeInput();
    }

    /** {@inheritDoc} */
    @Override
    public BlockList getChildren() {
        return new BlockList();
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        try (NDManager scope = manager.newSubManager()) {
            NDList inputs = new NDList();
            for (Shape shape : inputShapes) {
                inputs.add(scope.ones(shape, DataType.FLOAT32));
            }
            NDList output = forwardInternal(new ParameterStore(scope, false), inputs, false, null);
            return output.stream().map(NDArray::getShape).toArray(Shape[]::new);
        }
    }

    /**
     * Writes the whole script — parameters and BatchNorm buffers — in DJL's parameter format.
     *
     * @param os the stream
     * @throws IOException if it cannot be written
     */
    @Override
    public void saveParameters(DataOutputStream os) throws IOException {
        os.writeByte(VERSION);
        script.saveParameters(os);
    }

    /**
     * Loads a script written by {@link #saveParameters} as a new module that replaces the current
     * one, parameters and BatchNorm buffers alike. Parameter arrays obtained before are stale
     * afterwards: load before creating a trainer, never into a model a live trainer holds.
     *
     * @param manager the manager of the model
     * @param is the stream
     * @throws IOException if it cannot be read
     * @throws MalformedModelException if it was not written by {@link #saveParameters}
     */
    @Override
    public void loadParameters(NDManager manager, DataInputStream is)
            throws IOException, MalformedModelException {
        byte loaded = is.readByte();
        if (loaded != VERSION) {
            throw new MalformedModelException(
                    "unsupported TorchScriptClassifier parameter version " + loaded);
        }
        // PtSymbolBlock's format: its version byte, the module's size, the module. The native
        // reader assumes every read() fills its buffer, which a zip entry's stream does not do:
        // read the module fully here and hand it over from memory
        byte scriptVersion = is.readByte();
        long size = is.readLong();
        if (size < 0 || size > Integer.MAX_VALUE - 16) {
            throw new MalformedModelException("invalid TorchScript module size " + size);
        }
        byte[] module = new byte[(int) size];
        is.readFully(module);
        ByteArrayOutputStream framed = new ByteArrayOutputStream(module.length + 9);
        DataOutputStream out = new DataOutputStream(framed);
        out.writeByte(scriptVersion);
        out.writeLong(size);
        out.write(module);
        boolean trainable = anyTrainable(script);
        PtSymbolBlock fresh = new PtSymbolBlock(this.manager);
        fresh.loadParameters(
                this.manager, new DataInputStream(new ByteArrayInputStream(framed.toByteArray())));
        fresh.freezeParameters(!trainable);
        PtSymbolBlock old = script;
        script = fresh;
        outputChecked = false;
        old.close();
    }

    private static boolean anyTrainable(PtSymbolBlock block) {
        for (Parameter parameter : block.getDirectParameters().values()) {
            if (parameter.requiresGradient()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The AWP pass's proxy: a copy of the script made on first use, its parameters set to this
     * block's values on every call. Internal to awp.
     *
     * @return the proxy
     */
    @Override
    public Block syncedProxy() {
        if (proxy == null) {
            proxy = copy();
        }
        ParameterList live = getDirectParameters();
        ParameterList copies = proxy.getDirectParameters();
        for (int i = 0; i < live.size(); i++) {
            Guards.copy(copies.valueAt(i).getArray(), live.valueAt(i).getArray());
        }
        return proxy;
    }

    private TorchScriptClassifier copy() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            script.saveParameters(new DataOutputStream(bytes));
            PtSymbolBlock twin = new PtSymbolBlock(manager);
            twin.loadParameters(
                    manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            twin.freezeParameters(false);
            TorchScriptClassifier copy = new TorchScriptClassifier(manager, twin);
            copy.outputChecked = true;
            return copy;
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("could not copy the TorchScript module", e);
        }
    }
}
