package dev.awp.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A {@link ai.djl.nn.SequentialBlock} whose children have names of our choosing, so that parameter
 * names read like the reference models ({@code 03stage1_01block1_02conv1_weight} rather than {@code
 * 03SequentialBlock_01PreActBlock_02Conv2d_weight}).
 */
final class NamedSequence extends AbstractBlock {

    NamedSequence add(String name, Block block) {
        addChildBlock(name, block);
        return this;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDList current = inputs;
        for (Block child : children.values()) {
            NDList next = child.forward(parameterStore, current, training, params);
            if (current != inputs) {
                release(current, next);
            }
            current = next;
        }
        return current;
    }

    /**
     * Frees the arrays one child passed to the next as soon as the next has run, as PyTorch frees a
     * module's intermediate outputs, instead of keeping every layer's output until the caller's
     * scope closes. The next layer then writes into memory the allocator just got back, often still
     * in the cache: measured on SmallCnn at batch 200, one inference pass took 21 ms more with
     * every output kept (ReLU and max pooling twice as slow as in PyTorch's eager mode). Only the
     * Java handle goes: when autograd saved an array for the backward pass, it keeps the storage
     * alive, so gradients are unchanged. Arrays the next child returned as they were are kept.
     */
    private static void release(NDList passed, NDList next) {
        for (NDArray array : passed) {
            if (!containsSame(next, array)) {
                array.close();
            }
        }
    }

    private static boolean containsSame(NDList list, NDArray array) {
        for (NDArray element : list) {
            if (element == array) {
                return true;
            }
        }
        return false;
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] current = inputShapes;
        for (Block child : children.values()) {
            current = child.getOutputShapes(current);
        }
        return current;
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] current = inputShapes;
        for (Block child : children.values()) {
            child.initialize(manager, dataType, current);
            current = child.getOutputShapes(current);
        }
    }
}
