package dev.amadeus.model;

import dev.amadeus.synth.ModelShape;
import dev.amadeus.synth.SyntheticModel;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cache element encodings, and a Q8_0 value cache (which llama.cpp b4916 offers only with flash attention) against our F32 cache. */
class KVCacheTypesTest {
    @TempDir
    Path dir;

    @Test
    void rowsRoundTrip() {
        float[] x = new float[64];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3);
        try (Arena arena = Arena.ofConfined()) {
            for (KVCacheType t : KVCacheType.values()) {
                MemorySegment seg = arena.allocate(t.rowBytes(64) + 10);
                t.write(x, 0, 64, seg, 10);
                float[] back = new float[64];
                t.read(seg, 10, 64, back, 0);
                for (int i = 0; i < 64; i++) {
                    float expected = switch (t) {
                        case F32 -> x[i];
                        case F16 -> Float.float16ToFloat(Float.floatToFloat16(x[i]));
                        case Q8_0 -> back[i];
                    };
                    assertEquals(expected, back[i], t + " element " + i);
                }
                if (t == KVCacheType.Q8_0) {
                    for (int b = 0; b < 2; b++) {
                        float amax = 0;
                        for (int i = b * 32; i < b * 32 + 32; i++) amax = Math.max(amax, Math.abs(x[i]));
                        for (int i = b * 32; i < b * 32 + 32; i++) assertTrue(Math.abs(back[i] - x[i]) <= amax / 127 * 0.5001 + amax * 1e-3, "element " + i);
                    }
                }
            }
        }
        assertEquals(34 * 2, KVCacheType.Q8_0.rowBytes(64));
        assertEquals(KVCacheType.Q8_0, KVCacheType.parse("q8_0", "-ctk"));
        assertEquals("-ctv: unknown cache type 'q4_0'; use f32, f16 or q8_0",
                assertThrows(dev.amadeus.AmadeusException.class, () -> KVCacheType.parse("q4_0", "-ctv")).getMessage());
    }

    /**
     * Q8_0 values (and keys) against an F32 cache over 256 positions of a random model: the 8-bit rounding
     * of each cached row (relative error up to 1/254 of its block's largest element) may move the logits by
     * at most 2% of the largest one, the mean KL divergence stays below 1e-3 and the argmax agrees at 99%.
     */
    @Test
    void q8ValuesStayCloseToF32() throws IOException {
        Path file = dir.resolve("tiny-llama.gguf");
        new SyntheticModel(ModelShape.preset("tiny-llama"), GGMLType.F32, 1234, SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf")).write(file);
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(2)) {
            ModelConfig c = model.config();
            Transformer t = new Transformer(c, model.weights(), pool);
            int[] tokens = new Random(9).ints(256, 3, c.vocabularySize()).toArray();
            float[] reference = logits(t, c, tokens, KVCacheType.F32, KVCacheType.F32);
            for (KVCacheType keys : new KVCacheType[]{KVCacheType.F32, KVCacheType.Q8_0}) {
                float[] actual = logits(t, c, tokens, keys, KVCacheType.Q8_0);
                float[][] expected = new float[tokens.length][];
                for (int i = 0; i < tokens.length; i++) {
                    expected[i] = java.util.Arrays.copyOfRange(reference, i * c.vocabularySize(), (i + 1) * c.vocabularySize());
                }
                LlamaCppParityTest.Agreement a = LlamaCppParityTest.Agreement.measure(expected, actual);
                System.out.printf("K %s V Q8_0 vs F32: top1 %.4f meanKL %.3e maxRelErr %.3e%n", keys, a.top1(), a.meanKl(), a.maxRelativeError());
                assertTrue(a.maxRelativeError() <= 2e-2, "max relative error " + a.maxRelativeError());
                assertTrue(a.meanKl() <= 1e-3, "mean KL " + a.meanKl());
                assertTrue(a.top1() >= 0.99, "top-1 " + a.top1());
            }
        }
    }

    private static float[] logits(Transformer t, ModelConfig c, int[] tokens, KVCacheType k, KVCacheType v) {
        try (KVCache cache = new KVCache(c, tokens.length, k, v)) {
            return t.forward(cache, tokens, true);
        }
    }
}
