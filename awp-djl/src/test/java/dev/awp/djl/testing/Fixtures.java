package dev.awp.djl.testing;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the reference fixtures of {@code src/test/resources/fixtures/} (written by {@code
 * src/test/python/make_fixtures.py}, which documents every file) and turns their tensors into
 * {@link NDArray}s of the data type a test asks for.
 *
 * <p>In the JSON files a tensor is {@code {"shape": [...], "dtype": "float64" | "int64", "data":
 * nested lists}} and a scalar is a plain number; floats are exact float64 values. Typical use:
 *
 * <pre>{@code
 * Fixtures.Node example = Fixtures.load("spec_example.json");
 * try (NDManager manager = NDManager.newBaseManager()) {
 *     NDArray x = example.array(manager, "x", DataType.FLOAT64);
 *     NDArray y = example.array(manager, "y", DataType.INT64);
 *     NDArray w1 = example.node("params").array(manager, "W1", DataType.FLOAT32);
 *     double lossAtW = example.number("loss_w");
 *     double[] vW1 = example.node("v").doubles("W1"); // row-major
 * }
 * for (Fixtures.Node c : Fixtures.load("losses.json").nodes("cases")) {
 *     c.string("name"); // e.g. "saturated"
 * }
 * }</pre>
 *
 * A missing key or a malformed tensor fails with an {@link IllegalArgumentException} naming the
 * file and the path of the key.
 */
public final class Fixtures {

    private static final String ROOT = "/fixtures/";

    private Fixtures() {}

    /**
     * Reads a fixture file from the test class path.
     *
     * @param fileName the file name under {@code fixtures/}, e.g. {@code "losses.json"}
     * @return the root object of the file
     * @throws IllegalArgumentException if there is no such resource
     * @throws UncheckedIOException if it cannot be read
     */
    public static Node load(String fileName) {
        requireNonNull(fileName, "fileName");
        String resource = ROOT + fileName;
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(
                        "fixture "
                                + resource
                                + " is not on the test class path; regenerate it with"
                                + " /usr/bin/python3 awp-djl/src/test/python/make_fixtures.py");
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return new Node(fileName, "", JsonParser.parseReader(reader));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + resource, e);
        }
    }

    /** A JSON value of a fixture file (an object, a tensor or a number), with typed accessors. */
    public static final class Node {
        private final String file;
        private final String path;
        private final JsonElement json;

        private Node(String file, String path, JsonElement json) {
            this.file = file;
            this.path = path;
            this.json = json;
        }

        /**
         * Whether this object has the key.
         *
         * @param key the key
         * @return true if present
         */
        public boolean has(String key) {
            return json.isJsonObject() && json.getAsJsonObject().has(key);
        }

        /**
         * The object (or tensor) under a key.
         *
         * @param key the key
         * @return the child node
         */
        public Node node(String key) {
            return new Node(file, childPath(key), child(key));
        }

        /**
         * The elements of the array under a key, e.g. the {@code "cases"} of {@code losses.json}.
         *
         * @param key the key
         * @return the elements, in file order
         */
        public List<Node> nodes(String key) {
            JsonElement element = child(key);
            if (!element.isJsonArray()) {
                throw malformed(key, "is not an array");
            }
            List<Node> nodes = new ArrayList<>();
            JsonArray array = element.getAsJsonArray();
            for (int i = 0; i < array.size(); i++) {
                nodes.add(new Node(file, childPath(key) + "[" + i + "]", array.get(i)));
            }
            return nodes;
        }

        /**
         * The number under a key.
         *
         * @param key the key
         * @return the value, exact as written (float64)
         */
        public double number(String key) {
            JsonElement element = child(key);
            if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isNumber()) {
                throw malformed(key, "is not a number");
            }
            return element.getAsDouble();
        }

        /**
         * The string under a key.
         *
         * @param key the key
         * @return the string
         */
        public String string(String key) {
            JsonElement element = child(key);
            if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString()) {
                throw malformed(key, "is not a string");
            }
            return element.getAsString();
        }

        /**
         * The shape of the tensor under a key ({@code ()} for a plain number).
         *
         * @param key the key
         * @return the shape
         */
        public Shape shape(String key) {
            return tensor(key).shape();
        }

        /**
         * The values of the tensor under a key, flattened in row-major order (one value for a plain
         * number).
         *
         * @param key the key
         * @return the values as float64
         */
        public double[] doubles(String key) {
            return tensor(key).values().clone();
        }

        /**
         * The values of an integer tensor under a key (e.g. labels), flattened in row-major order.
         *
         * @param key the key
         * @return the values
         * @throws IllegalArgumentException if a value is not an integer
         */
        public long[] longs(String key) {
            double[] values = tensor(key).values();
            long[] longs = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                longs[i] = (long) values[i];
                if (longs[i] != values[i]) {
                    throw malformed(key, "holds a non-integer value " + values[i]);
                }
            }
            return longs;
        }

        /**
         * The tensor (or number) under a key as an {@link NDArray} of the given data type, created
         * by (and owned by) {@code manager}. Float64 values are rounded to the nearest float32 for
         * {@link DataType#FLOAT32}; integer types require integer values.
         *
         * @param manager the manager that creates the array
         * @param key the key
         * @param dataType the data type of the array: float64, float32, float16, int64, int32, int8
         *     or uint8
         * @return a new array of the stored shape
         * @throws IllegalArgumentException if the tensor is malformed or an integer type is asked
         *     for non-integer values
         */
        public NDArray array(NDManager manager, String key, DataType dataType) {
            requireNonNull(manager, "manager");
            requireNonNull(dataType, "dataType");
            Tensor tensor = tensor(key);
            double[] values = tensor.values();
            return switch (dataType) {
                case FLOAT64 -> manager.create(values, tensor.shape());
                case FLOAT32 -> {
                    float[] floats = new float[values.length];
                    for (int i = 0; i < values.length; i++) {
                        floats[i] = (float) values[i];
                    }
                    yield manager.create(floats, tensor.shape());
                }
                case INT64 -> manager.create(longs(key), tensor.shape());
                case INT32 -> {
                    long[] longs = longs(key);
                    int[] ints = new int[longs.length];
                    for (int i = 0; i < longs.length; i++) {
                        ints[i] = Math.toIntExact(longs[i]);
                    }
                    yield manager.create(ints, tensor.shape());
                }
                case FLOAT16, INT8, UINT8 -> {
                    try (NDArray wide = array(manager, key, DataType.FLOAT64)) {
                        if (!dataType.isFloating()) {
                            longs(key); // integer check
                        }
                        yield wide.toType(dataType, true);
                    }
                }
                default ->
                        throw new IllegalArgumentException(
                                "dataType must be float64, float32, float16, int64, int32, int8 or"
                                        + " uint8 but was "
                                        + dataType);
            };
        }

        /**
         * The tensor under a key as an {@link NDArray} of its stored data type (float64 or int64).
         *
         * @param manager the manager that creates the array
         * @param key the key
         * @return a new array
         */
        public NDArray array(NDManager manager, String key) {
            JsonElement element = child(key);
            boolean integer =
                    element.isJsonObject()
                            && element.getAsJsonObject().has("dtype")
                            && "int64".equals(element.getAsJsonObject().get("dtype").getAsString());
            return array(manager, key, integer ? DataType.INT64 : DataType.FLOAT64);
        }

        /**
         * The keys of this object, in file order.
         *
         * @return the keys; empty if this node is not an object
         */
        public List<String> keys() {
            return json.isJsonObject() ? List.copyOf(json.getAsJsonObject().keySet()) : List.of();
        }

        /**
         * Every tensor (and number) of this object as an array of the given data type, e.g. all the
         * parameters of {@code conv_bn_step.json}'s {@code "initial"}: {@code
         * example.node("initial").arrays(manager, DataType.FLOAT64).get("bn_running_mean")}.
         * Entries that are neither tensors nor numbers (strings, nested objects) are skipped.
         *
         * @param manager the manager that creates the arrays
         * @param dataType the data type of the arrays
         * @return the arrays by key, in file order
         */
        public Map<String, NDArray> arrays(NDManager manager, DataType dataType) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (String key : keys()) {
                if (isTensor(child(key))) {
                    arrays.put(key, array(manager, key, dataType));
                }
            }
            return arrays;
        }

        /**
         * The {@code "name"} of this node when it has one (fixture cases do), else its path; used
         * as the display name of parameterized tests.
         *
         * @return the name
         */
        @Override
        public String toString() {
            return has("name") ? string("name") : file + ":" + (path.isEmpty() ? "/" : path);
        }

        private Tensor tensor(String key) {
            JsonElement element = child(key);
            if (element.isJsonPrimitive() && element.getAsJsonPrimitive().isNumber()) {
                return new Tensor(new Shape(), new double[] {element.getAsDouble()});
            }
            if (!element.isJsonObject()) {
                throw malformed(key, "is neither a number nor a tensor");
            }
            JsonObject object = element.getAsJsonObject();
            if (!object.has("shape") || !object.has("data")) {
                throw malformed(key, "is not a tensor {shape, data}");
            }
            JsonArray dims = object.getAsJsonArray("shape");
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
            }
            List<Double> flat = new ArrayList<>();
            flatten(object.get("data"), flat);
            Shape result = new Shape(shape);
            if (flat.size() != result.size()) {
                throw malformed(
                        key, "has " + flat.size() + " values for shape " + result + " (malformed)");
            }
            double[] values = new double[flat.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = flat.get(i);
            }
            return new Tensor(result, values);
        }

        private static boolean isTensor(JsonElement element) {
            return (element.isJsonPrimitive() && element.getAsJsonPrimitive().isNumber())
                    || (element.isJsonObject()
                            && element.getAsJsonObject().has("shape")
                            && element.getAsJsonObject().has("data"));
        }

        private static void flatten(JsonElement element, List<Double> into) {
            if (element.isJsonArray()) {
                for (JsonElement e : element.getAsJsonArray()) {
                    flatten(e, into);
                }
            } else {
                into.add(element.getAsDouble());
            }
        }

        private JsonElement child(String key) {
            requireNonNull(key, "key");
            if (!has(key)) {
                List<String> keys = new ArrayList<>();
                if (json.isJsonObject()) {
                    keys.addAll(json.getAsJsonObject().keySet());
                }
                throw new IllegalArgumentException(
                        "fixture "
                                + file
                                + " has no key '"
                                + childPath(key)
                                + "'; keys here: "
                                + keys);
            }
            return json.getAsJsonObject().get(key);
        }

        private String childPath(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        private IllegalArgumentException malformed(String key, String problem) {
            return new IllegalArgumentException(
                    "fixture " + file + ": '" + childPath(key) + "' " + problem);
        }
    }

    /** A tensor of a fixture: its shape and its values in row-major order. */
    private record Tensor(Shape shape, double[] values) {}
}
