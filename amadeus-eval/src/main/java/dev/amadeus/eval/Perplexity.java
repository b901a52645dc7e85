package dev.amadeus.eval;

import dev.amadeus.AmadeusException;

/**
 * Perplexity as llama.cpp's {@code llama-perplexity} computes it by default. The text's tokens (with BOS
 * when the model adds one) are cut into non-overlapping chunks of {@code n} tokens; each chunk is
 * evaluated from an empty context with its first token replaced by BOS when the model adds BOS, and only
 * the second half is scored: the logits at positions {@code n/2 .. n-2} predict the tokens at
 * {@code n/2+1 .. n-1}, so every scored token has at least n/2 tokens of context. The text must hold at
 * least two chunks.
 */
public final class Perplexity {

    /** Told after every chunk. */
    public interface Progress {
        void chunkDone(int done, int total);
    }

    /**
     * @param perplexity    exp(mean negative log-likelihood of the scored tokens)
     * @param standardError llama.cpp's standard error of the perplexity (NaN when undefined)
     * @param tokensScored  scored tokens over all chunks
     * @param chunks        chunks evaluated
     */
    public record Result(double perplexity, double standardError, long tokensScored, int chunks) {
    }

    private Perplexity() {
    }

    /** The smallest context length that scores at least one token per chunk. */
    public static final int MIN_CONTEXT = 3;

    /** Tokens a text must have for a context of {@code contextLength}: two chunks, as llama-perplexity asks. */
    public static int tokensNeeded(int contextLength) {
        return 2 * contextLength;
    }

    /** Chunks evaluated for {@code tokens} tokens, at most {@code maxChunks} (0 or less: no limit). */
    public static int chunks(int tokens, int contextLength, int maxChunks) {
        int all = tokens / contextLength;
        return maxChunks > 0 ? Math.min(maxChunks, all) : all;
    }

    /**
     * Perplexity of {@code model} over {@code tokens}.
     *
     * @param bos       the token put first in every chunk, or -1 to leave chunks as cut
     * @param maxChunks evaluate only the first this many chunks; 0 or less for all
     */
    public static Result evaluate(ChunkModel model, int[] tokens, int contextLength, int maxChunks, int bos, Progress progress) {
        if (contextLength < MIN_CONTEXT) {
            throw new AmadeusException("context length must be at least " + MIN_CONTEXT + ", got " + contextLength);
        }
        if (tokens.length < tokensNeeded(contextLength)) {
            throw new AmadeusException("the text has " + tokens.length + " tokens; a context of " + contextLength
                    + " needs at least " + tokensNeeded(contextLength) + " (two chunks)");
        }
        int chunks = chunks(tokens.length, contextLength, maxChunks);
        int first = contextLength / 2, vocab = model.vocabularySize();
        NegativeLogLikelihood nll = new NegativeLogLikelihood();
        int[] chunk = new int[contextLength];
        for (int c = 0; c < chunks; c++) {
            System.arraycopy(tokens, c * contextLength, chunk, 0, contextLength);
            if (bos >= 0) chunk[0] = bos;
            model.evaluate(chunk, first, (position, logits, offset) -> {
                // The last position predicts the first token of the next chunk: not scored.
                if (position < contextLength - 1) nll.add(logits, offset, vocab, chunk[position + 1]);
            });
            progress.chunkDone(c + 1, chunks);
        }
        return new Result(nll.perplexity(), nll.standardError(), nll.count(), chunks);
    }
}
