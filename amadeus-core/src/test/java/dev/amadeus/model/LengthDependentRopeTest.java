package dev.amadeus.model;

import dev.amadeus.model.rope.DynamicNtkScaling;
import dev.amadeus.model.rope.NoScaling;
import dev.amadeus.synth.ModelShape;
import dev.amadeus.synth.SyntheticModel;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dynamic NTK, whose frequencies depend on the sequence length, is applied on read: a prompt evaluated in
 * one batch, in uneven batches, and token by token gives the same logits, past the original context where
 * the frequencies change at every step.
 */
class LengthDependentRopeTest {
    static final int ORIGINAL = 24, TOKENS = 90;

    @TempDir
    Path dir;

    @Test
    void batchAndTokenByTokenAgreePastTheOriginalContext() throws IOException {
        Path file = dir.resolve("tiny-llama.gguf");
        new SyntheticModel(ModelShape.preset("tiny-llama"), GGMLType.F32, 3, SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf")).write(file);
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(2)) {
            ModelConfig c = model.config();
            int vocab = c.vocabularySize();
            int[] tokens = new Random(5).ints(TOKENS, 3, vocab).toArray();
            Transformer dynamic = new Transformer(c, model.weights(), pool, new DynamicNtkScaling(2, ORIGINAL));
            assertTrue(dynamic.rotatesKeysOnRead());

            float[] batch;
            try (KVCache cache = new KVCache(c, TOKENS)) {
                batch = dynamic.forward(cache, tokens, true);
            }
            float[] steps = new float[TOKENS * vocab], uneven = new float[TOKENS * vocab];
            try (KVCache cache = new KVCache(c, TOKENS)) {
                for (int i = 0; i < TOKENS; i++) {
                    System.arraycopy(dynamic.forward(cache, new int[]{tokens[i]}, false), 0, steps, i * vocab, vocab);
                }
            }
            try (KVCache cache = new KVCache(c, TOKENS)) {
                int[] cuts = {0, 17, 30, 61, TOKENS};
                for (int k = 0; k + 1 < cuts.length; k++) {
                    float[] part = dynamic.forward(cache, Arrays.copyOfRange(tokens, cuts[k], cuts[k + 1]), true);
                    System.arraycopy(part, 0, uneven, cuts[k] * vocab, part.length);
                }
            }
            assertTrue(maxRelativeDifference(batch, steps, vocab) <= 1e-4, "batch vs token by token: " + maxRelativeDifference(batch, steps, vocab));
            assertTrue(maxRelativeDifference(batch, uneven, vocab) <= 1e-4, "batch vs uneven batches: " + maxRelativeDifference(batch, uneven, vocab));

            // The scaling is really in force: past the original context the logits differ from plain RoPE's.
            float[] plain;
            try (KVCache cache = new KVCache(c, TOKENS)) {
                plain = new Transformer(c, model.weights(), pool, new NoScaling()).forward(cache, tokens, true);
            }
            float[] early = Arrays.copyOf(plain, ORIGINAL * vocab), late = Arrays.copyOfRange(plain, ORIGINAL * vocab, plain.length);
            assertTrue(maxRelativeDifference(early, Arrays.copyOf(batch, ORIGINAL * vocab), vocab) <= 1e-4);
            assertTrue(maxRelativeDifference(late, Arrays.copyOfRange(batch, ORIGINAL * vocab, batch.length), vocab) > 1e-2);
        }
    }

    /** Largest |a - b| at a position relative to the largest |a| there. */
    static double maxRelativeDifference(float[] a, float[] b, int vocab) {
        double worst = 0;
        for (int p = 0; p < a.length / vocab; p++) {
            double maxAbs = 0, maxDiff = 0;
            for (int v = p * vocab; v < (p + 1) * vocab; v++) {
                maxAbs = Math.max(maxAbs, Math.abs(a[v]));
                maxDiff = Math.max(maxDiff, Math.abs(a[v] - b[v]));
            }
            worst = Math.max(worst, maxDiff / maxAbs);
        }
        return worst;
    }
}
