package dev.amadeus.model;

import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The load returns while the batched kernels still warm up on rows of the mapped file: the model must work
 * meanwhile, and closing it must wait for the warm-up before unmapping the file.
 */
class ModelWarmUpTest {
    @Test
    void modelWorksDuringTheWarmUpAndClosingWaitsForIt() {
        Model model = Model.load(SharedData.model("stories260K.gguf"), true, 0);
        try (ThreadPool pool = new ThreadPool(2)) {
            Transformer t = new Transformer(model.config(), model.weights(), pool);
            KVCache cache = new KVCache(model.config(), 64);
            int[] got = new int[10];
            int token = 1;
            for (int i = 0; i < got.length; i++) {
                token = Stories260KTest.argmax(t.forward(cache, new int[]{token}, false));
                got[i] = token;
            }
            assertArrayEquals(java.util.Arrays.copyOf(Stories260KTest.EXPECTED_FROM_BOS, got.length), got);
        } finally {
            model.close();
        }
        assertFalse(model.warmingUp(), "close() returned while the warm-up was still reading the mapping");
    }

    @Test
    void closingRightAfterTheLoadWaitsForTheWarmUp() {
        for (int i = 0; i < 5; i++) {
            Model model = Model.load(SharedData.model("stories260K.gguf"), true, 0);
            model.close();
            assertFalse(model.warmingUp());
        }
    }
}
