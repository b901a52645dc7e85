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
 * The blocked two-pass attention against a plain double-precision softmax over random queries, keys and
 * values, across many blocks, with grouped-query heads, a sliding window (the rolling buffer) and
 * Gemma 2's score cap.
 */
class BlockedAttentionTest {
    @TempDir
    static Path dir;

    @ParameterizedTest(name = "{0} layer {1}: {2} cached + {3} new")
    @CsvSource({
            "tiny-llama, 0, 0, 1",
            "tiny-llama, 0, 0, 200",
            "tiny-llama, 1, 1000, 1",
            "tiny-llama, 1, 700, 37",
            "tiny-gemma2, 0, 1000, 1",   // layer 0 of Gemma 2 slides a 64-token window
            "tiny-gemma2, 0, 500, 130",
            "tiny-gemma2, 1, 500, 3"})   // layer 1 is global
    void matchesAPlainSoftmax(String shape, int layer, int cached, int n) throws IOException {
        Path file = dir.resolve(shape + ".gguf");
        if (!file.toFile().exists()) {
            new SyntheticModel(ModelShape.preset(shape), GGMLType.F32, 7, SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf")).write(file);
        }
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(2);
             KVCache cache = new KVCache(model.config(), cached + n, KVCacheType.F32, KVCacheType.F32)) {
            ModelConfig c = model.config();
            Random random = new Random(cached * 31L + n);
            int kd = c.kvDim(), vd = c.kvValueDim(), qd = c.queryDim(), total = cached + n;
            float[][] keys = new float[total][kd], values = new float[total][vd];
            for (int t = 0; t < total; t++) {
                for (int i = 0; i < kd; i++) keys[t][i] = (float) random.nextGaussian() * 2;
                for (int i = 0; i < vd; i++) values[t][i] = (float) random.nextGaussian();
                cache.writeKey(layer, t, keys[t], 0);
                cache.writeValue(layer, t, values[t], 0);
            }
            float[] q = new float[n * qd];
            for (int i = 0; i < q.length; i++) q[i] = (float) random.nextGaussian();
            float[] out = new float[n * c.heads() * c.valueHeadDim()];
            new BlockedAttention(c, pool).run(layer, cache, cached, n, q, out, null);
            // Scores computed again in every pass, as for contexts past what a thread keeps: the very same floats.
            float[] recomputed = new float[out.length];
            new BlockedAttention(c, pool, 0).run(layer, cache, cached, n, q, recomputed, null);
            assertArrayEquals(out, recomputed);

            double[] expected = plainAttention(c, layer, cached, n, q, keys, values);
            double maxAbs = 0, maxDiff = 0;
            for (int i = 0; i < out.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
                maxDiff = Math.max(maxDiff, Math.abs(expected[i] - out[i]));
            }
            assertTrue(maxDiff <= 1e-5 * maxAbs, "max |Δ| " + maxDiff + " of max " + maxAbs);
            assertEquals(c.slidingWindow()[layer] > 0, shape.equals("tiny-gemma2") && layer == 0);
        }
    }

    static double[] plainAttention(ModelConfig c, int layer, int start, int n, float[] q, float[][] keys, float[][] values) {
        int heads = c.heads(), hd = c.headDim(), vhd = c.valueHeadDim(), window = c.slidingWindow()[layer];
        double scale = c.architecture().scaleQueries ? 1 : c.queryScale(), cap = c.attnSoftCap();
        double[] out = new double[n * heads * vhd];
        for (int i = 0; i < n; i++) {
            int p = start + i, first = window > 0 ? Math.max(0, p - window + 1) : 0;
            for (int h = 0; h < heads; h++) {
                int kvh = h / c.groupSize();
                double[] s = new double[p - first + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int t = first; t <= p; t++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) dot += (double) q[i * heads * hd + h * hd + d] * keys[t][kvh * hd + d];
                    dot *= scale;
                    if (cap > 0) dot = Math.tanh(dot / cap) * cap;
                    s[t - first] = dot;
                    max = Math.max(max, dot);
                }
                for (int t = 0; t < s.length; t++) sum += s[t] = Math.exp(s[t] - max);
                for (int t = first; t <= p; t++) {
                    for (int d = 0; d < vhd; d++) out[(i * heads + h) * vhd + d] += s[t - first] / sum * values[t][kvh * vhd + d];
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "head dim {0}")
    @CsvSource({"8", "64", "128"})
    void eightKeysAtOnceSumAsOneKeyAtATime(int hd) {
        Random random = new Random(hd);
        float[] query = new float[hd], keys = new float[8 * hd], scores = new float[8];
        for (int round = 0; round < 100; round++) {
            for (int i = 0; i < hd; i++) query[i] = (float) random.nextGaussian();
            for (int i = 0; i < keys.length; i++) keys[i] = (float) random.nextGaussian() * (1 + round);
            BlockedAttention.dotLanes8(query, 0, keys, 0, hd, scores, 0);
            for (int k = 0; k < 8; k++) {
                assertEquals(BlockedAttention.dotLanes(query, 0, keys, k * hd, hd), scores[k], "key " + k + " of round " + round);
            }
        }
    }
}
