package dev.amadeus.model;

import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The trained TinyStories model must reproduce llama.cpp's greedy continuation token for token. */
class Stories260KTest {
    /** models/PROVENANCE.md: greedy from BOS, first 60 generated ids (llama.cpp and a float64 reference agree). */
    static final int[] EXPECTED_FROM_BOS = {
            403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337,
            410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352,
            266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415};

    @Test
    void greedyFromBosMatchesProvenance() {
        try (Model model = Model.load(SharedData.model("stories260K.gguf")); ThreadPool pool = new ThreadPool(2)) {
            Transformer t = new Transformer(model.config(), model.weights(), pool);
            KVCache cache = new KVCache(model.config(), 128);
            int[] got = new int[EXPECTED_FROM_BOS.length];
            int token = 1;
            for (int i = 0; i < got.length; i++) {
                float[] logits = t.forward(cache, new int[]{token}, false);
                token = argmax(logits);
                got[i] = token;
            }
            assertArrayEquals(EXPECTED_FROM_BOS, got);
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
