package dev.amadeus.model;

import dev.amadeus.synth.ModelShape;
import dev.amadeus.synth.SyntheticModel;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A context shift moves keys as if their tokens had been evaluated at their new positions: first-layer
 * keys (which depend only on the token and its position) after a shift equal those of a fresh evaluation
 * of the kept tokens, up to float rounding of the composed rotation; values move unchanged.
 */
class ContextShiftTest {
    @TempDir
    static Path dir;

    @ParameterizedTest(name = "{0}: {1} tokens, keep {2}")
    @CsvSource({"tiny-llama, 60, 4, F32", "tiny-llama, 60, 0, F16", "tiny-gemma2, 400, 4, F32"})
    void shiftedKeysEqualKeysAtTheNewPositions(String shape, int tokens, int keep, KVCacheType type) throws IOException {
        Path file = dir.resolve(shape + ".gguf");
        if (!file.toFile().exists()) {
            new SyntheticModel(ModelShape.preset(shape), GGMLType.F32, 11, SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf")).write(file);
        }
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(2)) {
            ModelConfig c = model.config();
            Transformer t = new Transformer(c, model.weights(), pool);
            int[] all = new Random(tokens).ints(tokens, 3, c.vocabularySize()).toArray();
            int discard = (tokens - keep) / 2, left = tokens - discard;
            int[] kept = new int[left];
            System.arraycopy(all, 0, kept, 0, keep);
            System.arraycopy(all, keep + discard, kept, keep, left - keep);
            try (KVCache shifted = new KVCache(c, tokens, type, type); KVCache fresh = new KVCache(c, tokens, type, type)) {
                t.forward(shifted, all, false);
                t.shiftContext(shifted, keep, discard);
                assertEquals(left, shifted.length());
                t.forward(fresh, kept, false);

                int window = c.slidingWindow()[0];
                int from = window > 0 ? left - window : 0; // a rolling layer keeps only what the next token sees
                float[] a = new float[c.kvDim()], b = new float[c.kvDim()], va = new float[c.kvValueDim()], vb = new float[c.kvValueDim()];
                double worst = 0;
                for (int p = from; p < left; p++) {
                    shifted.readKey(0, p, 0, c.kvDim(), a, 0);
                    fresh.readKey(0, p, 0, c.kvDim(), b, 0);
                    double maxAbs = 0, maxDiff = 0;
                    for (int i = 0; i < a.length; i++) {
                        maxAbs = Math.max(maxAbs, Math.abs(b[i]));
                        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                    }
                    worst = Math.max(worst, maxDiff / maxAbs);
                    shifted.readValue(0, p, 0, c.kvValueDim(), va, 0);
                    fresh.readValue(0, p, 0, c.kvValueDim(), vb, 0);
                    assertArrayEquals(vb, va, "values at position " + p);
                }
                // F32: float angles of positions up to 400 (each off by up to p·2^-24 rad) composed; F16: plus one
                // f16 rounding of the rotated key.
                assertTrue(worst <= (type == KVCacheType.F32 ? 1e-4 : 2e-3), "worst relative key difference " + worst);

                // Generation goes on after the shift.
                float[] logits = t.forward(shifted, new int[]{all[0]}, false);
                assertEquals(c.vocabularySize(), logits.length);
                assertEquals(left + 1, shifted.length());
            }
        }
    }
}
