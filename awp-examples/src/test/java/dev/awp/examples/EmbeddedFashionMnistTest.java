package dev.awp.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import dev.awp.djl.data.ImageDataset;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class EmbeddedFashionMnistTest {

    /**
     * SHA-256 of the IDX payloads, as make_fashion_mnist_subset.py made them: golden values, so
     * that a regenerated or replaced subset fails here until the change is deliberate (the gzip
     * bytes may differ with another zlib; these may not).
     */
    private static final Map<String, String> PAYLOAD_SHA256 =
            Map.of(
                    "t10k-images-idx3-ubyte",
                    "bccb3edad11ede7e1410cb004ab680e8308b574f233b614e7fd533721d053353",
                    "t10k-labels-idx1-ubyte",
                    "e026daf3d28b630d395bff264d45247706f43ecba7d4f48422cba6b6a30e22d3",
                    "train-images-idx3-ubyte",
                    "40c97c6f29512afafc2254ee9a2185b82aa65ab4f498b94ba80293e3b3a56f3c",
                    "train-labels-idx1-ubyte",
                    "2a4fb3eec0877aa3d4ab80d8f59374733af9b2b2966e8be0e50efe715f443a4d");

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = EmbeddedFashionMnist.open(file)) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A {@code sha256sum} listing: hash, two spaces, name, per line. */
    private static Map<String, String> sums(String file) throws IOException {
        Map<String, String> sums = new LinkedHashMap<>();
        for (String line : new String(resource(file), StandardCharsets.US_ASCII).split("\n")) {
            sums.put(line.substring(66), line.substring(0, 64));
        }
        return sums;
    }

    @Nested
    class Checksums {
        @Test
        void should_match_the_recorded_sha256_of_every_committed_file() throws Exception {
            Map<String, String> recorded = sums("SHA256SUMS");

            assertThat(recorded).containsOnlyKeys(EmbeddedFashionMnist.FILES);
            for (String file : EmbeddedFashionMnist.FILES) {
                assertThat(sha256(resource(file))).as(file).isEqualTo(recorded.get(file));
            }
        }

        @Test
        void should_decompress_to_the_golden_idx_payloads() throws Exception {
            assertThat(sums("SHA256SUMS-uncompressed")).isEqualTo(PAYLOAD_SHA256);
            for (String file : EmbeddedFashionMnist.FILES) {
                byte[] payload;
                try (InputStream in = new GZIPInputStream(EmbeddedFashionMnist.open(file))) {
                    payload = in.readAllBytes();
                }
                String name = file.substring(0, file.length() - ".gz".length());
                assertThat(sha256(payload)).as(name).isEqualTo(PAYLOAD_SHA256.get(name));
            }
        }

        @Test
        void should_ship_the_mit_licence_of_zalando_with_the_data() throws IOException {
            String licence = new String(resource("LICENSE"), StandardCharsets.UTF_8);

            assertThat(licence)
                    .contains("The MIT License (MIT) Copyright © [2017] Zalando SE")
                    .contains("The above copyright notice and this permission notice shall be");
        }
    }

    @Nested
    class Contents {
        @Test
        void should_hold_1000_training_and_200_test_images_per_class() {
            ImageDataset train = EmbeddedFashionMnist.train(EmbeddedFashionMnist.TRAIN_SIZE);
            ImageDataset test = EmbeddedFashionMnist.test(EmbeddedFashionMnist.TEST_SIZE);

            assertThat(train.size()).isEqualTo(10_000);
            assertThat(test.size()).isEqualTo(2_000);
            assertThat(train.inputShape()).isEqualTo(new Shape(1, 28, 28));
            assertThat(train.classCounts()).containsOnly(1000);
            assertThat(test.classCounts()).containsOnly(200);
            assertThat(train.name()).isEqualTo("Fashion-MNIST subset train");
        }

        @Test
        void should_be_stratified_in_every_prefix_of_a_multiple_of_ten() {
            ImageDataset all = EmbeddedFashionMnist.train(EmbeddedFashionMnist.TRAIN_SIZE);
            ImageDataset first = EmbeddedFashionMnist.train(2000);

            assertThat(first.classCounts()).containsOnly(200);
            assertThat(EmbeddedFashionMnist.test(30).classCounts()).containsOnly(3);
            assertThat(first.name()).isEqualTo("Fashion-MNIST subset train[first 2000]");
            for (int i : new int[] {0, 7, 1999}) {
                assertThat(first.label(i)).isEqualTo(i % 10);
                assertThat(first.image(i)).isEqualTo(all.image(i));
            }
        }

        @Test
        void should_refuse_more_images_than_embedded() {
            assertThatThrownBy(() -> EmbeddedFashionMnist.test(2001))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "size must be in [1, 2000] (the embedded test images) but was 2001");
        }
    }

    @Test
    void should_be_the_fashion_mnist_of_the_examples_without_a_data_dir() {
        ExampleArgs options =
                ExampleArgs.parse(
                        new String[] {"--dataset", "fashion-mnist"},
                        Set.of("dataset", "data-dir"),
                        Set.of());

        ExampleData.Splits splits = ExampleData.FASHION_MNIST.read(options, 0, 0, 0);

        assertThat(splits.title()).isEqualTo("Fashion-MNIST (embedded subset)");
        assertThat(splits.train().size()).isEqualTo(10_000);
        assertThat(splits.test(500, 0).classCounts()).containsOnly(50);
        assertThat(splits.train(20, 0).labels())
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
}
