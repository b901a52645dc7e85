package dev.amadeus.eval;

import dev.amadeus.AmadeusException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chunking and scoring on hand-made cases whose perplexity is known in closed form. */
class PerplexityTest {
    private static final int BOS = 9;

    /**
     * A two-token model (and BOS) that gives every position the logits [0, ln 3, -inf...]: p(0) = 1/4 and
     * p(1) = 3/4. It records the chunks it is asked for and the positions it reports.
     */
    static final class ScriptedModel implements ChunkModel {
        final List<int[]> chunks = new ArrayList<>();
        final List<Integer> firsts = new ArrayList<>();

        @Override
        public int vocabularySize() {
            return 10;
        }

        @Override
        public void evaluate(int[] chunk, int first, LogitsSink sink) {
            chunks.add(chunk.clone());
            firsts.add(first);
            float[] logits = new float[chunk.length * 10];
            Arrays.fill(logits, Float.NEGATIVE_INFINITY);
            for (int p = 0; p < chunk.length; p++) {
                logits[p * 10] = 0f;
                logits[p * 10 + 1] = (float) Math.log(3);
            }
            for (int p = first; p < chunk.length; p++) sink.accept(p, logits, p * 10);
        }
    }

    @Test
    void chunksAreCutWithoutOverlapWithBosFirstAndOnlySecondHalvesScored() {
        // 13 tokens, context 6: two chunks [0..5] and [6..11]; token 12 is left over.
        int[] tokens = {1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1};
        ScriptedModel model = new ScriptedModel();
        List<Integer> progress = new ArrayList<>();
        Perplexity.Result r = Perplexity.evaluate(model, tokens, 6, 0, BOS, (done, total) -> {
            assertEquals(2, total);
            progress.add(done);
        });
        assertEquals(List.of(1, 2), progress);
        assertEquals(2, r.chunks());
        assertArrayEquals(new int[]{BOS, 0, 1, 1, 0, 1}, model.chunks.get(0));
        assertArrayEquals(new int[]{BOS, 1, 1, 1, 1, 0}, model.chunks.get(1));
        assertEquals(List.of(3, 3), model.firsts);
        // Scored: positions 3 and 4 of each chunk predict the tokens at 4 and 5: (0, 1) and (1, 0).
        assertEquals(4, r.tokensScored());
        double nll0 = Math.log(4), nll1 = Math.log(4.0 / 3);
        double mean = (2 * nll0 + 2 * nll1) / 4;
        assertEquals(Math.exp(mean), r.perplexity(), 1e-6);
        assertEquals(4 / Math.sqrt(3), r.perplexity(), 1e-6); // exp(mean) = sqrt(4 · 4/3)
        // E[x²] − mean² = ((nll0 − nll1) / 2)² = (ln 3 / 2)²; standard error = ppl · sqrt of that / 3.
        assertEquals(r.perplexity() * (Math.log(3) / 2) / Math.sqrt(3), r.standardError(), 1e-6);
    }

    @Test
    void chunkLimitAndNoBos() {
        int[] tokens = {1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1};
        ScriptedModel model = new ScriptedModel();
        Perplexity.Result r = Perplexity.evaluate(model, tokens, 6, 1, -1, (done, total) -> assertEquals(1, total));
        assertEquals(1, r.chunks());
        assertEquals(1, model.chunks.size());
        assertArrayEquals(new int[]{1, 0, 1, 1, 1, 1}, model.chunks.getFirst());
        assertEquals(2, r.tokensScored());
        assertEquals(4.0 / 3, r.perplexity(), 1e-6);
        assertTrue(Double.isNaN(r.standardError()), "no spread: the standard error is undefined");
    }

    @Test
    void oddContextScoresFromItsLowerHalf() {
        // Context 5: first = 2, positions 2 and 3 scored (predicting 3 and 4): 2 per chunk.
        int[] tokens = new int[10];
        Arrays.fill(tokens, 1);
        Perplexity.Result r = Perplexity.evaluate(new ScriptedModel(), tokens, 5, 0, BOS, (d, t) -> {
        });
        assertEquals(2, r.chunks());
        assertEquals(4, r.tokensScored());
        assertEquals(4.0 / 3, r.perplexity(), 1e-6);
    }

    @Test
    void textShorterThanTwoChunksIsRefused() {
        AmadeusException e = assertThrows(AmadeusException.class,
                () -> Perplexity.evaluate(new ScriptedModel(), new int[11], 6, 0, BOS, (d, t) -> {
                }));
        assertEquals("the text has 11 tokens; a context of 6 needs at least 12 (two chunks)", e.getMessage());
        assertThrows(AmadeusException.class, () -> Perplexity.evaluate(new ScriptedModel(), new int[10], 2, 0, BOS, (d, t) -> {
        }));
    }

    @Test
    void logSoftmaxIsExactAndStable() {
        float[] logits = {7f, 1000f, 1000f, 0f};
        assertEquals(-Math.log(2), NegativeLogLikelihood.logSoftmax(logits, 1, 2, 0), 1e-12);
        assertEquals(Math.log(Math.exp(7) / (Math.exp(7) + 2)), NegativeLogLikelihood.logSoftmax(new float[]{7f, 0f, 0f}, 0, 3, 0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> NegativeLogLikelihood.logSoftmax(logits, 0, 4, 4));
    }
}
