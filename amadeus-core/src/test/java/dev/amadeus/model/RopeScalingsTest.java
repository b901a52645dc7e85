package dev.amadeus.model;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.GGUFWriter;
import dev.amadeus.gguf.MetadataValue;
import dev.amadeus.gguf.TensorInfo;
import dev.amadeus.model.rope.DynamicNtkScaling;
import dev.amadeus.model.rope.FrequencyFactors;
import dev.amadeus.model.rope.LinearScaling;
import dev.amadeus.model.rope.LongRopeScaling;
import dev.amadeus.model.rope.NoScaling;
import dev.amadeus.model.rope.NtkAwareScaling;
import dev.amadeus.model.rope.RopeMethod;
import dev.amadeus.model.rope.RopeOptions;
import dev.amadeus.model.rope.RopeScaling;
import dev.amadeus.model.rope.YarnScaling;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factory resolves GGUF metadata, factor tensors and option overrides as llama.cpp does, and names the
 * flag behind a bad value. Variants of stories260K.gguf (head dim 8, so 4 rotated pairs) carry the RoPE keys and tensors under test.
 */
class RopeScalingsTest {
    static final int DIMS = 8;
    static final double BASE = 10000;

    @TempDir
    Path dir;

    @Test
    void plainFileHasNoScaling() {
        assertSameFrequencies(new NoScaling(), create(Map.of(), Map.of(), RopeOptions.FROM_FILE));
    }

    @Test
    void fileLinearFactorAndItsOverrides() throws IOException {
        Map<String, MetadataValue> linear = Map.of("llama.rope.scaling.type", MetadataValue.string("linear"),
                "llama.rope.scaling.factor", MetadataValue.float32(2f));
        assertSameFrequencies(new LinearScaling(2), create(linear, Map.of(), RopeOptions.FROM_FILE));
        assertSameFrequencies(new LinearScaling(8), create(linear, Map.of(), RopeOptions.FROM_FILE.withScale(8)));
        assertSameFrequencies(new LinearScaling(4), create(linear, Map.of(), RopeOptions.FROM_FILE.withFreqScale(0.25)));
        assertSameFrequencies(new NoScaling(), create(linear, Map.of(), RopeOptions.FROM_FILE.withMethod(RopeMethod.NONE)));
    }

    @Test
    void fileYarnWithDeepSeekLogMultiplier() {
        Map<String, MetadataValue> yarn = Map.of("llama.rope.scaling.type", MetadataValue.string("yarn"),
                "llama.rope.scaling.factor", MetadataValue.float32(4f),
                "llama.rope.scaling.original_context_length", MetadataValue.uint32(128));
        RopeScaling plain = create(yarn, Map.of(), RopeOptions.FROM_FILE);
        assertSameFrequencies(YarnScaling.standard(4, 128), plain);
        assertEquals(1 + 0.1 * Math.log(4), plain.attentionFactor(), 1e-12);

        Map<String, MetadataValue> deepSeek = new java.util.HashMap<>(yarn);
        deepSeek.put("llama.rope.scaling.yarn_log_multiplier", MetadataValue.float32(0.1f)); // mscale_all_dim 1
        assertEquals(1.0, create(deepSeek, Map.of(), RopeOptions.FROM_FILE).attentionFactor(), 1e-6);
        // Without extrapolation YaRN is linear interpolation, without its attention factor (as llama.cpp).
        RopeScaling noExtrapolation = create(yarn, Map.of(), RopeOptions.FROM_FILE.withYarnExtFactor(0));
        assertSameFrequencies(new LinearScaling(4), noExtrapolation);
        assertEquals(1.0, noExtrapolation.attentionFactor());
        assertEquals(2 * (1 + 0.1 * Math.log(4)), create(yarn, Map.of(), RopeOptions.FROM_FILE.withYarnAttnFactor(2)).attentionFactor(), 1e-12);
        // A file that declares YaRN without a factor extends nothing.
        RopeScaling unextended = create(Map.of("llama.rope.scaling.type", MetadataValue.string("yarn")), Map.of(), RopeOptions.FROM_FILE);
        assertSameFrequencies(new NoScaling(), unextended);
        assertEquals(1.0, unextended.attentionFactor());
    }

    @Test
    void llama3FactorsFromTheTensor() {
        float[] divisors = {1, 1.5f, 4, 8};
        RopeScaling s = create(Map.of(), Map.of("rope_freqs.weight", divisors), RopeOptions.FROM_FILE);
        assertSameFrequencies(new FrequencyFactors(new NoScaling(), divisors), s);
        assertSameFrequencies(new FrequencyFactors(new NoScaling(), divisors), create(Map.of(), Map.of("rope_freqs.weight", divisors),
                RopeOptions.FROM_FILE.withMethod(RopeMethod.LLAMA3)));
        // On top of linear interpolation both apply, as in llama.cpp.
        assertSameFrequencies(new FrequencyFactors(new LinearScaling(2), divisors), create(Map.of(), Map.of("rope_freqs.weight", divisors),
                RopeOptions.FROM_FILE.withMethod(RopeMethod.LINEAR).withScale(2)));
    }

    @Test
    void longRopeFromPhi3StyleTensors() {
        float[] shortFactors = {1, 1.1f, 1.2f, 1.3f}, longFactors = {1, 2, 4, 8};
        Map<String, float[]> tensors = Map.of("rope_factors_short.weight", shortFactors, "rope_factors_long.weight", longFactors);
        Map<String, MetadataValue> keys = Map.of("llama.rope.scaling.attn_factor", MetadataValue.float32(1.190238f),
                "llama.rope.scaling.original_context_length", MetadataValue.uint32(128));
        RopeScaling s = create(keys, tensors, RopeOptions.FROM_FILE);
        assertTrue(s instanceof LongRopeScaling && s.dependsOnLength());
        assertSameFrequencies(new FrequencyFactors(new NoScaling(), shortFactors), s.forLength(128));
        assertSameFrequencies(new FrequencyFactors(new NoScaling(), longFactors), s.forLength(129));
        assertEquals(1.190238f, s.forLength(129).attentionFactor(), 1e-7);
        assertEquals(1.190238f, s.forLength(5).attentionFactor(), 1e-7);
        // Phi-3-mini-128k's factor as Hugging Face computes it when the file has none.
        assertEquals(1.190238, LongRopeScaling.defaultAttentionFactor(32, 4096), 1e-6);
    }

    @Test
    void ntkAndDynamicNtk() {
        assertSameFrequencies(new NtkAwareScaling(4), create(Map.of(), Map.of(), RopeOptions.FROM_FILE.withAlpha(4)));
        RopeScaling dynamic = create(Map.of(), Map.of(), RopeOptions.FROM_FILE.withMethod(RopeMethod.DYNAMIC_NTK).withScale(2));
        assertTrue(dynamic.dependsOnLength());
        // Measured against the trained context (Hugging Face's max_position_embeddings).
        int trained;
        try (Model m = Model.load(SharedData.model("stories260K.gguf"))) {
            trained = m.config().trainedContextLength();
        }
        assertSameFrequencies(new NoScaling(), dynamic.forLength(trained));
        assertSameFrequencies(new DynamicNtkScaling(2, trained).forLength(trained + 1), dynamic.forLength(trained + 1));
        assertSameFrequencies(new DynamicNtkScaling(2, trained).forLength(2048), dynamic.forLength(2048));
        assertFalse(Arrays.equals(new NoScaling().inverseFrequencies(DIMS, BASE), dynamic.forLength(trained + 1).inverseFrequencies(DIMS, BASE)));
        assertFalse(dynamic.forLength(2048).dependsOnLength());
    }

    @Test
    void freqBaseOverride() throws IOException {
        try (Model m = Model.load(SharedData.model("stories260K.gguf"))) {
            assertEquals(BASE, RopeScalings.freqBase(m.config(), RopeOptions.FROM_FILE));
            assertEquals(50000, RopeScalings.freqBase(m.config(), RopeOptions.FROM_FILE.withFreqBase(50000)));
        }
    }

    @Test
    void badValuesNameTheFlag() {
        assertEquals("--rope-scale must be a positive number, got -2.0", error(Map.of(), RopeOptions.FROM_FILE.withScale(-2)));
        assertEquals("--rope-freq-base must be a positive number, got 0.0", error(Map.of(), RopeOptions.FROM_FILE.withFreqBase(0)));
        assertEquals("--yarn-ext-factor must be between 0 and 1, got 1.5", error(Map.of(), RopeOptions.FROM_FILE.withYarnExtFactor(1.5)));
        assertEquals("--yarn-beta-fast must be a positive number, got -1.0", error(Map.of(), RopeOptions.FROM_FILE.withYarnBetas(1, -1)));
        assertEquals("--rope-scaling ntk needs --rope-alpha", error(Map.of(), RopeOptions.FROM_FILE.withMethod(RopeMethod.NTK)));
        assertEquals("--rope-scaling yarn needs --rope-scale", error(Map.of(), RopeOptions.FROM_FILE.withMethod(RopeMethod.YARN)));
        String longRope = error(Map.of(), RopeOptions.FROM_FILE.withMethod(RopeMethod.LONGROPE));
        assertTrue(longRope.startsWith("--rope-scaling longrope needs the tensors rope_factors_long and rope_factors_short, which "), longRope);
        assertEquals("--rope-scale and --rope-freq-scale set the same factor: give only one",
                error(Map.of(), RopeOptions.FROM_FILE.withScale(2).withFreqScale(0.5)));
        assertTrue(assertThrows(AmadeusException.class, () -> RopeMethod.parse("ntk-aware", "--rope-scaling")).getMessage()
                .startsWith("--rope-scaling: unknown RoPE scaling method 'ntk-aware' (expected one of none, linear, yarn, longrope, ntk,"));
        String fileType = error(Map.of("llama.rope.scaling.type", MetadataValue.string("su-perb")), RopeOptions.FROM_FILE);
        assertTrue(fileType.contains("rope.scaling.type: unknown RoPE scaling method 'su-perb'"), fileType);
    }

    private String error(Map<String, MetadataValue> keys, RopeOptions options) {
        return assertThrows(AmadeusException.class, () -> create(keys, Map.of(), options)).getMessage();
    }

    private static void assertSameFrequencies(RopeScaling expected, RopeScaling actual) {
        assertArrayEquals(expected.inverseFrequencies(DIMS, BASE), actual.inverseFrequencies(DIMS, BASE), 1e-15);
    }

    /** The factory's scaling for stories260K with {@code keys} added to its metadata and {@code tensors} to its tensors. */
    private RopeScaling create(Map<String, MetadataValue> keys, Map<String, float[]> tensors, RopeOptions options) {
        Path file = dir.resolve("variant" + System.nanoTime() + ".gguf");
        try (GGUFFile source = GGUFFile.open(SharedData.model("stories260K.gguf"))) {
            GGUFWriter w = new GGUFWriter();
            source.metadata().forEach(w::put);
            keys.forEach(w::put);
            for (TensorInfo t : source.tensors()) w.addTensor(t.name(), t.type(), t.shape(), source.data(t));
            tensors.forEach((name, values) -> w.addTensor(name, GGMLType.F32, new long[]{values.length}, dest -> {
                for (int i = 0; i < values.length; i++) dest.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, values[i]);
            }));
            w.write(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (Model m = Model.load(file)) {
            return RopeScalings.create(m.config(), m.weights(), options);
        }
    }
}
