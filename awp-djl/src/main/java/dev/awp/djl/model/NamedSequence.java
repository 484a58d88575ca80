package dev.awp.djl.model;

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
                // as PyTorch does: see Intermediates
                Intermediates.release(current, next);
            }
            current = next;
        }
        return current;
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
