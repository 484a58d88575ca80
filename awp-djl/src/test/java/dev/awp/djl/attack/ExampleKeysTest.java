package dev.awp.djl.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import dev.awp.attack.ThreatModel;
import dev.awp.djl.testing.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ExampleKeysTest {

    private static final Shape EXAMPLE = new Shape(3, 6, 6);

    Model model;
    Trainer trainer;
    AttackTarget target;
    NDManager manager;
    NDArray x;
    NDArray y;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(3);
        model = TestModels.model("conv", TestModels.convBn(), DataType.FLOAT32);
        trainer = TestModels.trainer(model, TestModels.sgd(0.1f, 0.9f, 0), new Shape(4, 3, 6, 6));
        target = AttackTarget.of(trainer);
        manager = trainer.getManager();
        x = manager.randomUniform(0f, 1f, new Shape(4, 3, 6, 6));
        y = manager.randomInteger(0, 3, new Shape(4), DataType.INT64);
    }

    @AfterEach
    void tearDown() {
        trainer.close();
        model.close();
    }

    /** Returns {@code x} plus its draws, and records them: a uniform array and two host draws. */
    static final class Recording extends AbstractInputAttack {
        float[] uniform;
        float[] normal;
        long[] host;

        @Override
        public ThreatModel threatModel() {
            return ThreatModel.linf(1.0);
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        protected NDArray craft(AttackBatch batch) {
            int[] rows = batch.allRows();
            uniform = batch.uniform(batch.scope(), rows, EXAMPLE, -1f, 1f).toFloatArray();
            normal = batch.normal(batch.scope(), rows, new Shape(2), 0f, 1f).toFloatArray();
            host = new long[rows.length];
            for (int row : rows) {
                host[row] = batch.random(row).nextLong();
            }
            return batch.x().duplicate();
        }
    }

    private static float[] row(float[] values, int row, int size) {
        float[] out = new float[size];
        System.arraycopy(values, row * size, out, 0, size);
        return out;
    }

    @Nested
    class Keyed {

        @Test
        void should_give_an_example_its_draws_whatever_its_batch_and_position() {
            Recording all = new Recording();
            all.generate(target, x, y, ExampleKeys.of(5, new long[] {10, 11, 12, 13}));
            // examples 12 and 10 alone, in the other order
            Recording two = new Recording();
            NDArray rows = manager.create(new long[] {2, 0});
            two.generate(
                    target,
                    x.get(new NDIndex("{}", rows)),
                    y.get(new NDIndex("{}", rows)),
                    ExampleKeys.of(5, new long[] {12, 10}));
            int size = (int) EXAMPLE.size();
            assertThat(row(two.uniform, 0, size)).containsExactly(row(all.uniform, 2, size));
            assertThat(row(two.uniform, 1, size)).containsExactly(row(all.uniform, 0, size));
            assertThat(row(two.normal, 0, 2)).containsExactly(row(all.normal, 2, 2));
            assertThat(two.host).containsExactly(all.host[2], all.host[0]);
            for (float v : all.uniform) {
                assertThat(v).isBetween(-1f, 1f);
            }
        }

        @Test
        void should_give_other_draws_to_other_examples_and_seeds() {
            Recording first = new Recording();
            first.generate(target, x, y, ExampleKeys.of(5, new long[] {10, 11, 12, 13}));
            Recording reseeded = new Recording();
            reseeded.generate(target, x, y, ExampleKeys.of(6, new long[] {10, 11, 12, 13}));
            int size = (int) EXAMPLE.size();
            assertThat(row(first.uniform, 0, size)).isNotEqualTo(row(first.uniform, 1, size));
            assertThat(reseeded.uniform).isNotEqualTo(first.uniform);
            assertThat(reseeded.host[0]).isNotEqualTo(first.host[0]);
        }

        @Test
        void should_continue_an_example_stream_across_calls() {
            Recording recording = new Recording();
            recording.generate(target, x, y, ExampleKeys.of(5, new long[] {10, 11, 12, 13}));
            // the host draw comes after the example's uniform and normal draws in its stream
            dev.awp.djl.internal.SplitMix64 stream = dev.awp.djl.internal.SplitMix64.derive(5, 10);
            for (int i = 0; i < EXAMPLE.size(); i++) {
                stream.nextLong();
            }
            for (int i = 0; i < 2; i++) {
                stream.nextGaussian();
            }
            assertThat(recording.host[0]).isEqualTo(stream.nextLong());
        }

        @Test
        void should_reject_ids_of_another_batch_size() {
            Recording recording = new Recording();
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () ->
                                    recording.generate(
                                            target, x, y, ExampleKeys.of(5, new long[] {1, 2})))
                    .withMessage("ids must hold one identifier per example (4) but held 2");
        }
    }

    @Nested
    class FromEngine {

        @Test
        void should_draw_arrays_from_the_engine_generator_as_before() {
            Engine.getInstance().setRandomSeed(9);
            Recording recording = new Recording();
            recording.generate(target, x, y);
            Engine.getInstance().setRandomSeed(9);
            float[] expected = manager.randomUniform(-1f, 1f, new Shape(4, 3, 6, 6)).toFloatArray();
            assertThat(recording.uniform).containsExactly(expected);
        }

        @Test
        void should_share_one_stream_over_the_batch() {
            Engine.getInstance().setRandomSeed(9);
            Recording recording = new Recording();
            recording.generate(target, x, y, ExampleKeys.fromEngine());
            assertThat(recording.host).doesNotHaveDuplicates();
            Engine.getInstance().setRandomSeed(9);
            Recording again = new Recording();
            again.generate(target, x, y);
            assertThat(again.host).containsExactly(recording.host);
        }
    }
}
