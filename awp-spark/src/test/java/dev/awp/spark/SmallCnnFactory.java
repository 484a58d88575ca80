package dev.awp.spark;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import dev.awp.djl.data.SyntheticShapes;
import dev.awp.djl.model.SmallCnn;
import java.nio.file.Path;
import java.util.Map;

/** The block of the tests' model: a narrow SmallCnn for 3×32×32 images and 10 classes. */
public class SmallCnnFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        Block block =
                SmallCnn.builder()
                        .setNumClasses(SyntheticShapes.NUM_CLASSES)
                        .optWidth(8)
                        .optHiddenUnits(32)
                        .build();
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
        return block;
    }
}
