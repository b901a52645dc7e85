package dev.amadeus.model.rope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every scaling method against the reference vectors of {@code testdata/rope/vectors.json} (a float64
 * re-implementation of the Hugging Face, scaled-rope, YaRN and llama.cpp definitions): inverse frequencies
 * and attention factors for head dims 64 and 128 at bases 1e4 and 5e5, and q and k vectors rotated at
 * positions 0, 1, 4095 and 16383 in both pairing conventions, all to 1e-6 relative.
 */
class RopeVectorsTest {
    static final double TOLERANCE = 1e-6;
    static final JsonNode VECTORS = read();

    static JsonNode read() {
        try {
            return new ObjectMapper().readTree(SharedData.file("testdata/rope/vectors.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scaling that a method name of vectors.json stands for, fixed to the length the vectors assume. */
    static RopeScaling scaling(String name) {
        if (name.startsWith("dynamic_ntk_seq8192_orig2048_factor")) {
            return dynamic(name).forLength(8192);
        }
        if (name.endsWith("_perpos")) return dynamic(name); // forLength(position + 1), applied by RotaryEmbedding
        return switch (name) {
            case "default" -> new NoScaling();
            case "linear_s4" -> new LinearScaling(4);
            case "ntk_aware_alpha4" -> new NtkAwareScaling(4);
            case "ntk_by_parts_pr1_s4_orig4096" -> new NtkByPartsScaling(4, 4096);
            case "ntk_by_parts_yarnpaper_s4_orig4096" -> new NtkByPartsYarnScaling(4, 4096, 32, 1);
            case "yarn_s4_orig4096" -> YarnScaling.standard(4, 4096);
            case "yarn_s4_orig4096_truncate_false" -> new YarnScaling(4, 4096, 32, 1, 1, false, YarnScaling.mscale(4, 1));
            case "llama3_f8" -> Llama3Scaling.llama31();
            default -> throw new IllegalArgumentException("no scaling for " + name);
        };
    }

    static DynamicNtkScaling dynamic(String name) {
        int at = name.indexOf("factor") + "factor".length();
        int end = at;
        while (end < name.length() && Character.isDigit(name.charAt(end))) end++;
        return new DynamicNtkScaling(Integer.parseInt(name.substring(at, end)), 2048);
    }

    static Stream<Arguments> frequencyCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Map.Entry<String, JsonNode> table : fields(VECTORS.get("inv_freq"))) {
            for (Map.Entry<String, JsonNode> method : fields(table.getValue())) {
                cases.add(Arguments.of(table.getKey(), method.getKey(), method.getValue()));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("frequencyCases")
    void inverseFrequenciesAndAttentionFactor(String table, String method, JsonNode expected) {
        int dims = Integer.parseInt(table.substring(1, table.indexOf('_')));
        double base = Double.parseDouble(table.substring(table.indexOf("base") + 4));
        RopeScaling s = scaling(method);
        assertClose(doubles(expected.get("inv_freq_f64")), s.inverseFrequencies(dims, base), method);
        assertEquals(expected.get("attention_factor").asDouble(), s.attentionFactor(), TOLERANCE * expected.get("attention_factor").asDouble());
        if (method.equals("llama3_f8")) {
            // llama.cpp's files carry the same scaling as per-pair divisors (the rope_freqs tensor, in float).
            float[] divisors = floats(expected.get("gguf_rope_freqs_weight"));
            assertClose(doubles(expected.get("inv_freq_f64")),
                    new FrequencyFactors(new NoScaling(), divisors).inverseFrequencies(dims, base), "rope_freqs");
        }
    }

    static Stream<Arguments> rotationCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Map.Entry<String, JsonNode> base : fields(VECTORS.get("rotations").get("by_base"))) {
            for (Map.Entry<String, JsonNode> method : fields(base.getValue())) {
                for (String convention : List.of("neox", "interleaved")) {
                    cases.add(Arguments.of(base.getKey(), method.getKey(), convention, method.getValue()));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("rotationCases")
    void rotatedVectors(String baseName, String method, String convention, JsonNode expected) {
        JsonNode rotations = VECTORS.get("rotations");
        int headDim = rotations.get("head_dim").asInt();
        double base = Double.parseDouble(baseName.substring(4));
        RotaryEmbedding rope = new RotaryEmbedding(headDim, headDim, convention.equals("neox"), base, scaling(method));
        for (JsonNode position : rotations.get("positions")) {
            int p = position.asInt();
            JsonNode at = expected.get("pos_" + p).get(convention);
            float[] cosSin = new float[2 * rope.pairs()];
            rope.angles(p, cosSin);
            for (String vector : List.of("q", "k")) {
                float[] v = floats(rotations.get(vector));
                rope.rotate(v, 0, 1, cosSin);
                assertVectorClose(doubles(at.get(vector)), v, method + " " + convention + " " + vector + " at " + p);
            }
        }
    }

    /** DeepSeek's YaRN: factor 40, original 4096, rope dim 64, with its mscale / mscale_all_dim pairs. */
    @Test
    void deepSeekAttentionFactors() {
        for (Map.Entry<String, JsonNode> example : fields(VECTORS.get("deepseek_yarn_examples"))) {
            JsonNode e = example.getValue(), p = e.get("params");
            double factor = p.get("factor").asDouble();
            double attention = YarnScaling.defaultAttentionFactor(factor, p.get("mscale").asDouble(), p.get("mscale_all_dim").asDouble());
            assertEquals(e.get("cos_sin_attention_factor").asDouble(), attention, 1e-12, example.getKey());
            YarnScaling yarn = new YarnScaling(factor, p.get("original_max_position_embeddings").asInt(),
                    p.get("beta_fast").asDouble(), p.get("beta_slow").asDouble(), 1, true, attention);
            assertClose(doubles(e.get("inv_freq_f64")), yarn.inverseFrequencies(p.get("rope_dim").asInt(), p.get("base").asDouble()), example.getKey());
        }
    }

    /** Hugging Face's dynamic NTK keeps the trained frequencies up to the original context and grows the base past it. */
    @Test
    void dynamicNtkBelowAndAboveTheOriginalContext() {
        DynamicNtkScaling dynamic = new DynamicNtkScaling(4, 2048);
        assertTrue(dynamic.dependsOnLength());
        double[] trained = doubles(VECTORS.get("inv_freq").get("d64_base10000").get("default").get("inv_freq_f64"));
        for (int length : new int[]{1, 100, 2047, 2048}) {
            assertClose(trained, dynamic.forLength(length).inverseFrequencies(64, 10000), "length " + length);
        }
        assertClose(trained, dynamic.inverseFrequencies(64, 10000), "unfixed");
        for (String table : List.of("d64_base10000", "d128_base500000")) {
            int dims = table.startsWith("d64") ? 64 : 128;
            double base = table.endsWith("10000") ? 10000 : 500000;
            for (int factor : new int[]{1, 2, 4}) {
                JsonNode ref = VECTORS.get("inv_freq").get(table).get("dynamic_ntk_seq8192_orig2048_factor" + factor);
                RopeScaling fixed = new DynamicNtkScaling(factor, 2048).forLength(8192);
                assertTrue(!fixed.dependsOnLength());
                assertEquals(ref.get("base_prime").asDouble(), ((NtkAwareScaling) fixed).scaledBase(dims, base), 1e-9 * ref.get("base_prime").asDouble());
                assertClose(doubles(ref.get("inv_freq_f64")), fixed.inverseFrequencies(dims, base), table + " factor " + factor);
            }
        }
        // Per position, as the rotation vectors of *_perpos assume: position p sees a sequence of p + 1 positions.
        JsonNode perPos = VECTORS.get("rotations").get("by_base").get("base10000").get("dynamic_ntk_orig2048_factor4_perpos");
        for (int p : new int[]{0, 1, 4095, 16383}) {
            double expectedBase = perPos.get("pos_" + p).get("base_prime").asDouble();
            RopeScaling fixed = dynamic.forLength(p + 1);
            double actualBase = fixed instanceof NtkAwareScaling n ? n.scaledBase(64, 10000) : 10000;
            assertEquals(expectedBase, actualBase, 1e-9 * expectedBase, "position " + p);
        }
    }

    static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * Math.abs(expected[i]), what + ": pair " + i);
        }
    }

    /** Element-wise within 1e-6 of the vector's largest element (single elements can cancel to near zero). */
    static void assertVectorClose(double[] expected, float[] actual, String what) {
        double scale = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * scale, what + ": element " + i);
        }
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }

    static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) out.add(it.next());
        return out;
    }
}
